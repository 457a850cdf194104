using Apriel.Testing;

namespace Apriel.Trainer.Tests.Training;

/// <summary>Tests in this collection share one s3rver (each test uses its own bucket).</summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Fixture>
{
    public const string Name = "s3";
}
