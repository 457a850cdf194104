using Apriel.Api.V1Alpha1;
using Apriel.Trainer.Merging;

namespace Apriel.Trainer.Tests.Merging;

public sealed class LayerSlicesTests
{
    static LayerRange Range(int start, int end) => new() { Start = start, End = end };

    [Fact]
    public void Should_stack_0_24_and_16_40_into_48_layers()
    {
        var map = LayerSlices.Map([Range(0, 24), Range(16, 40)]);

        Assert.Equal(48, map.Count);
        for (var i = 0; i < 48; i++) Assert.Equal(i < 24 ? i : i - 8, map[i].Layer);
        Assert.All(map.Take(24), m => Assert.Equal(0, m.Input));
        Assert.All(map.Skip(24), m => Assert.Equal(1, m.Input));
    }

    [Fact]
    public void Should_refuse_a_slice_past_its_model()
    {
        Assert.Null(LayerSlices.Problem([Range(0, 24), Range(16, 40)], [40, 40], ["a", "b"]));
        Assert.Equal("b: layers [16, 41) reaches past its 40 decoder layers", LayerSlices.Problem([Range(0, 24), Range(16, 41)], [40, 40], ["a", "b"]));
        Assert.Equal("a: layers [3, 3) is empty: make start less than end (the range is half-open)", LayerSlices.Problem([Range(3, 3)], [40], ["a"]));
    }

    [Fact]
    public void Should_parse_and_name_decoder_layer_tensors()
    {
        Assert.Equal((12, "mlp.up_proj.weight"), LayerSlices.Parse("language_model.model.layers.12.mlp.up_proj.weight"));
        Assert.Null(LayerSlices.Parse("language_model.model.norm.weight"));
        Assert.Null(LayerSlices.Parse("vision_tower.transformer.layers.1.attention.q_proj.weight"));
        Assert.Equal("language_model.model.layers.3.input_layernorm.weight", LayerSlices.Name(3, "input_layernorm.weight"));
    }
}
