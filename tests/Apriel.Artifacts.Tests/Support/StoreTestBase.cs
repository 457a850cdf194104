namespace Apriel.Artifacts.Tests.Support;

/// <summary>A test class that runs once per kind of store: each subclass says how to create its store.</summary>
public abstract class StoreTestBase : IAsyncLifetime
{
    IArtifactStore? store;

    /// <summary>The store under test, created before each test and disposed after it.</summary>
    protected IArtifactStore Store => store ?? throw new InvalidOperationException("not initialised");

    /// <summary>Creates a fresh, empty store.</summary>
    protected abstract Task<IArtifactStore> CreateStoreAsync();

    public async Task InitializeAsync() => store = await CreateStoreAsync();

    public Task DisposeAsync()
    {
        store?.Dispose();
        return Task.CompletedTask;
    }
}
