using System.Buffers.Binary;
using System.Text;
using Apriel.Trainer.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests.Checkpoints;

public sealed class SafetensorsTests
{
    public SafetensorsTests() => torch.set_num_threads(1);

    private static List<KeyValuePair<string, Tensor>> SampleTensors()
    {
        torch.manual_seed(1);
        return
        [
            new("a.weight", randn(3, 5)),
            new("b.weight", randn(7).to(ScalarType.BFloat16)),
            new("c.weight", randn(2, 3, 4).to(ScalarType.Float16)),
            new("d.bias", randn(1)),
            new("e.empty", zeros(0, 4)),
        ];
    }

    private static void AssertBitExact(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.contiguous().bytes.ToArray(), actual.contiguous().bytes.ToArray());
    }

    [Fact]
    public void Should_load_back_bit_exact_from_one_file_with_an_aligned_header()
    {
        using var dir = new TempDir();
        var tensors = SampleTensors();

        var files = CheckpointFiles.Save(dir.Path, tensors);

        Assert.Equal([Path.Combine(dir.Path, CheckpointFiles.SingleFile)], files);
        var header = SafetensorsHeader.Read(files[0]);
        Assert.Equal(0, header.DataStart % 8);
        Assert.Equal("pt", header.Metadata["format"]);
        using var reader = CheckpointReader.Open(dir.Path);
        Assert.Equal(tensors.Count, reader.Tensors.Count);
        foreach (var (name, tensor) in tensors)
        {
            using var loaded = reader.Get(name);
            AssertBitExact(tensor, loaded);
        }
    }

    [Fact]
    public void Should_load_back_bit_exact_from_shards_with_an_index()
    {
        using var dir = new TempDir();
        var tensors = SampleTensors();

        var files = CheckpointFiles.Save(dir.Path, tensors, maxShardBytes: 40);

        Assert.True(files.Count > 3);
        Assert.Equal(CheckpointFiles.IndexFile, Path.GetFileName(files[^1]));
        Assert.Matches(@"model-00001-of-0000\d\.safetensors", Path.GetFileName(files[0]));
        Assert.Contains("\"total_size\": 126", File.ReadAllText(files[^1]));
        using var reader = CheckpointReader.Open(dir.Path);
        foreach (var (name, tensor) in tensors)
        {
            using var loaded = reader.Get(name);
            AssertBitExact(tensor, loaded);
        }
    }

    [Fact]
    public void Should_convert_to_the_requested_dtype_when_saving()
    {
        using var dir = new TempDir();
        var tensors = SampleTensors();

        CheckpointFiles.Save(dir.Path, tensors, ScalarType.BFloat16);

        using var reader = CheckpointReader.Open(dir.Path);
        AssertBitExact(tensors[0].Value.to(ScalarType.BFloat16), reader.Get("a.weight"));
        AssertBitExact(tensors[2].Value.to(ScalarType.BFloat16), reader.Get("c.weight"));
    }

    [Fact]
    public void Should_keep_tensors_valid_after_the_reader_is_disposed_and_never_write_to_the_file()
    {
        using var dir = new TempDir();
        var tensors = SampleTensors();
        CheckpointFiles.Save(dir.Path, tensors);
        var before = File.ReadAllBytes(Path.Combine(dir.Path, CheckpointFiles.SingleFile));

        Tensor a;
        using (var reader = CheckpointReader.Open(dir.Path)) a = reader.Get("a.weight");
        a.add_(1); // the mapping is copy-on-write

        AssertBitExact(tensors[0].Value + 1, a);
        a.Dispose();
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir.Path, CheckpointFiles.SingleFile)));
    }

    [Fact]
    public void Should_lend_the_same_tensor_twice_and_unmap_only_after_both_are_freed()
    {
        using var dir = new TempDir();
        var tensors = SampleTensors();
        CheckpointFiles.Save(dir.Path, tensors);

        Tensor first, second;
        using (var reader = CheckpointReader.Open(dir.Path))
        {
            first = reader.Get("a.weight");
            second = reader.Get("a.weight");
        }
        first.Dispose();

        AssertBitExact(tensors[0].Value, second);
        second.Dispose();
    }

    [Fact]
    public void Should_read_into_an_existing_tensor_converting_when_needed_and_check_the_shape_first()
    {
        using var dir = new TempDir();
        var tensors = SampleTensors();
        CheckpointFiles.Save(dir.Path, tensors);
        using var reader = CheckpointReader.Open(dir.Path);

        var same = zeros(3, 5);
        reader.ReadInto("a.weight", same);                      // the same dtype: read straight from the file
        AssertBitExact(tensors[0].Value, same);
        var converted = zeros(7);
        reader.ReadInto("b.weight", converted);                 // BF16 into F32: converted
        AssertBitExact(tensors[1].Value.to(ScalarType.Float32), converted);

        var e = Assert.Throws<CheckpointException>(() => reader.ReadInto("a.weight", zeros(5, 3)));
        Assert.Equal("tensor \"a.weight\" has shape [3, 5], the destination [5, 3]", e.Problem);
    }

    [Fact]
    public void Should_map_the_newer_naming_generation_to_the_canonical_one()
    {
        using var dir = new TempDir();
        CheckpointFiles.Save(dir.Path,
        [
            new("model.language_model.norm.weight", ones(4)),
            new("lm_head.weight", ones(8, 4)),
            new("model.vision_tower.ln_pre.weight", ones(2)),
            new("model.multi_modal_projector.linear_1.bias", ones(4)),
        ]);

        using var reader = CheckpointReader.Open(dir.Path);

        Assert.Equal(
            ["language_model.lm_head.weight", "language_model.model.norm.weight", "multi_modal_projector.linear_1.bias", "vision_tower.ln_pre.weight"],
            reader.Tensors.Keys.Order(StringComparer.Ordinal));
    }

    // ---- bad files: each gives a CheckpointException naming the file and the problem ----

    private static byte[] Raw(string json, int dataBytes, int? declaredHeaderLength = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(declaredHeaderLength ?? header.Length));
        header.CopyTo(bytes, 8);
        return bytes;
    }

    public static TheoryData<string, byte[], string> BadFiles() => new()
    {
        { "shorter than the length prefix", [1, 2, 3], "truncated: 3 bytes" },
        { "header length past the end", Raw("{}", 0, declaredHeaderLength: 1000), "truncated: header length 1000" },
        { "header length absurd", Raw("{}", 0, declaredHeaderLength: int.MaxValue), "over the 100000000-byte limit" },
        { "header not JSON", Raw("{\"a\": [", 0), "corrupt: the header is not valid JSON" },
        { "unsupported dtype", Raw("""{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", 8), "dtype I64; supported" },
        { "shape and bytes disagree", Raw("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8), "needs 12 bytes but data_offsets span 8" },
        { "negative dimension", Raw("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", 4), "invalid shape" },
        { "truncated data", Raw("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 10), "truncated: tensors need 16 data bytes but the file has 10" },
        { "overlapping tensors", Raw("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "overlaps" },
        { "hole in the data", Raw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "a hole in the data section" },
        { "trailing bytes", Raw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8), "4 bytes after the last tensor" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Should_refuse_a_bad_file_with_its_path_and_problem(string what, byte[] bytes, string problem)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(Path.Combine(dir.Path, CheckpointFiles.SingleFile), bytes);

        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir.Path));

        Assert.True(e.Problem.Contains(problem, StringComparison.Ordinal), $"{what}: {e.Message}");
        Assert.Equal(Path.Combine(dir.Path, CheckpointFiles.SingleFile), e.FilePath);
    }

    [Fact]
    public void Should_refuse_a_file_cut_short_after_writing()
    {
        using var dir = new TempDir();
        CheckpointFiles.Save(dir.Path, SampleTensors());
        var path = Path.Combine(dir.Path, CheckpointFiles.SingleFile);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^5]);

        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir.Path));

        Assert.StartsWith("truncated", e.Problem);
    }

    [Fact]
    public void Should_refuse_an_index_whose_shard_is_missing_or_lacks_a_tensor()
    {
        using var dir = new TempDir();
        CheckpointFiles.Save(dir.Path, SampleTensors(), maxShardBytes: 40);
        var index = Path.Combine(dir.Path, CheckpointFiles.IndexFile);
        var text = File.ReadAllText(index);

        File.WriteAllText(index, text.Replace("\"a.weight\": \"model-00001", "\"a.weight\": \"model-00002", StringComparison.Ordinal));
        var misplaced = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir.Path));
        Assert.Contains("the index places tensor \"a.weight\" in this file", misplaced.Message);

        File.Delete(Path.Combine(dir.Path, Directory.GetFiles(dir.Path, "model-00002-*")[0]));
        File.WriteAllText(index, text);
        var missing = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir.Path));
        Assert.Equal("file not found", missing.Problem);

        File.WriteAllText(index, "{\"weight_map\": {\"a.weight\": \"../x.safetensors\"}}");
        var escape = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir.Path));
        Assert.Contains("is not a file name in this directory", escape.Problem);
    }

    [Fact]
    public void Should_refuse_a_directory_without_weights()
    {
        using var dir = new TempDir();

        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir.Path));

        Assert.Equal(dir.Path, e.FilePath);
    }
}
