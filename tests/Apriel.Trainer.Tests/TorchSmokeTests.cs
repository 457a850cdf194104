using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Tests;

public sealed class TorchSmokeTests
{
    [Fact]
    public void Matmul_and_backward_compute_on_this_machine()
    {
        torch.set_num_threads(1);
        var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 }, requires_grad: true);
        var b = tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        var c = matmul(a, b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
        c.sum().backward();
        // d(sum(a@b))/da[i,k] = sum_j b[k,j]
        Assert.Equal(new float[] { 11, 15, 11, 15 }, a.grad!.data<float>().ToArray());
    }
}
