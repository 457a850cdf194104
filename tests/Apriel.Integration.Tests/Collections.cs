using Apriel.Testing;
using Xunit;

namespace Apriel.Integration.Tests;

/// <summary>Tests in this collection share one control plane (startup takes seconds).</summary>
[CollectionDefinition(Name)]
public sealed class ControlPlaneCollection : ICollectionFixture<ControlPlaneFixture>
{
    public const string Name = "control plane";
}

/// <summary>Tests in this collection share one s3rver.</summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Fixture>
{
    public const string Name = "s3";
}
