using Apriel.Trainer.Training;
using TorchSharp;

namespace Apriel.Trainer.Tests.Training;

public sealed class TrainingDeviceTests
{
    [Theory]
    [InlineData("auto", 0, DeviceType.CPU, -1)]
    [InlineData("auto", 2, DeviceType.CUDA, 0)]
    [InlineData("cpu", 2, DeviceType.CPU, -1)]
    [InlineData("cuda", 1, DeviceType.CUDA, 0)]
    [InlineData("cuda:1", 2, DeviceType.CUDA, 1)]
    public void Should_choose_the_named_device(string choice, int cudaDevices, DeviceType type, int index)
    {
        Assert.Equal((type, index, (string?)null), TrainingDevice.Choose(choice, cudaDevices));
    }

    [Theory]
    [InlineData("cuda", 0, "libtorch sees no CUDA device")]
    [InlineData("cuda:2", 2, "only 2 CUDA device(s) are visible (cuda:0..cuda:1)")]
    [InlineData("gpu", 2, "not a device; use auto, cpu, cuda or cuda:N")]
    [InlineData("cuda:-1", 2, "not a device")]
    public void Should_say_why_a_device_cannot_be_had(string choice, int cudaDevices, string error)
    {
        Assert.Contains(error, TrainingDevice.Choose(choice, cudaDevices).Error);
    }
}
