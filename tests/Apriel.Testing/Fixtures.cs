using Xunit;

namespace Apriel.Testing;

/// <summary>One control plane shared by the tests of an xunit collection.</summary>
public sealed class ControlPlaneFixture : IAsyncLifetime
{
    private ControlPlane? controlPlane;

    public ControlPlane ControlPlane => controlPlane ?? throw new InvalidOperationException("control plane not started");

    public async Task InitializeAsync() => controlPlane = await ControlPlane.StartAsync();

    public async Task DisposeAsync()
    {
        if (controlPlane is not null)
        {
            await controlPlane.DisposeAsync();
        }
    }
}

/// <summary>One s3rver shared by the tests of an xunit collection.</summary>
public sealed class S3Fixture : IAsyncLifetime
{
    private S3Server? server;

    public S3Server Server => server ?? throw new InvalidOperationException("s3rver not started");

    public async Task InitializeAsync() => server = await S3Server.StartAsync();

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}
