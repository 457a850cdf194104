using System.CommandLine;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Apriel.Trainer.Training;

/// <summary>
/// Where a trainer computes: <c>auto</c> (the first CUDA device when libtorch sees one, else the CPU), <c>cpu</c>,
/// <c>cuda</c> or <c>cuda:N</c>. One device per process: TorchSharp 0.107 has no collective-communication backend, so
/// this trainer cannot spread a run over several GPUs (the API allows one GPU per stage for that reason).
/// </summary>
public static class TrainingDevice
{
    /// <summary>The commands' <c>--device</c> option.</summary>
    public static Option<string> Option() => new("--device")
    {
        Description = "auto (the first CUDA device when there is one, else the CPU), cpu, cuda or cuda:N",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>The device <paramref name="choice"/> names when <paramref name="cudaDevices"/> CUDA devices are visible, or why it cannot be had.</summary>
    public static (DeviceType Type, int Index, string? Error) Choose(string choice, int cudaDevices)
    {
        switch (choice)
        {
            case "auto":
                return cudaDevices > 0 ? (DeviceType.CUDA, 0, null) : (DeviceType.CPU, -1, null);
            case "cpu":
                return (DeviceType.CPU, -1, null);
        }
        var index = choice == "cuda" ? 0
            : choice.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(choice.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : -1;
        if (index < 0) return (DeviceType.CPU, -1, $"--device {choice}: not a device; use auto, cpu, cuda or cuda:N");
        if (cudaDevices == 0)
            return (DeviceType.CPU, -1, $"--device {choice}: libtorch sees no CUDA device (a CPU build of the trainer, or a pod without a GPU); use the CUDA trainer image on a GPU node, or --device cpu");
        if (index >= cudaDevices) return (DeviceType.CPU, -1, $"--device {choice}: only {cudaDevices} CUDA device(s) are visible (cuda:0..cuda:{cudaDevices - 1})");
        return (DeviceType.CUDA, index, null);
    }

    /// <summary>The device <paramref name="choice"/> names on this machine.</summary>
    /// <exception cref="ArgumentException">It names no device, or one this process cannot use.</exception>
    public static Device Resolve(string choice)
    {
        var (type, index, error) = Choose(choice, cuda.is_available() ? cuda.device_count() : 0);
        if (error != null) throw new ArgumentException(error);
        return new Device(type, index);
    }
}
