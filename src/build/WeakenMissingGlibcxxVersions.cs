using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks the libstdc++ symbol-version needs of an ELF64 shared library that the host's libstdc++ lacks as
/// weak (VER_FLG_WEAK in .gnu.version_r), so the dynamic loader accepts the library. See Directory.Build.targets.
/// </summary>
public sealed class WeakenMissingGlibcxxVersions : Task
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    static readonly string[] HostLibstdcxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    [Required] public string Library { get; set; } = "";

    public override bool Execute()
    {
        var host = HostLibstdcxxCandidates.FirstOrDefault(File.Exists);
        if (host == null) return true; // nothing to compare with: leave the library alone
        var hostText = Encoding.ASCII.GetString(File.ReadAllBytes(host));

        var elf = File.ReadAllBytes(Library);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2) return true; // not ELF64
        var shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A), shnum = BitConverter.ToUInt16(elf, 0x3C);

        var changed = 0;
        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            var offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            var strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + BitConverter.ToUInt32(elf, (int)sh + 0x28) * (long)shentsize) + 0x18);
            var needCount = BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            changed += WeakenEntries(elf, offset, strtab, needCount, hostText);
        }

        if (changed > 0)
        {
            File.WriteAllBytes(Library, elf);
            Log.LogMessage(MessageImportance.High, $"Marked {changed} libstdc++ version need(s) weak in {Library}");
        }
        return true;
    }

    // Walks Elf64_Verneed entries (16 bytes) and their Elf64_Vernaux children (16 bytes).
    static int WeakenEntries(byte[] elf, long verneed, long strtab, uint count, string hostText)
    {
        var changed = 0;
        for (uint n = 0; n < count; n++)
        {
            var file = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)verneed + 4));
            var aux = verneed + BitConverter.ToUInt32(elf, (int)verneed + 8);
            int auxCount = BitConverter.ToUInt16(elf, (int)verneed + 2);
            for (var a = 0; a < auxCount; a++)
            {
                var name = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                var flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                if (file.StartsWith("libstdc++", StringComparison.Ordinal) && !hostText.Contains(name + "\0")
                    && (flags & VerFlgWeak) == 0)
                {
                    BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                    changed++;
                }
                aux += BitConverter.ToUInt32(elf, (int)aux + 12);
            }
            verneed += BitConverter.ToUInt32(elf, (int)verneed + 12);
        }
        return changed;
    }

    static string ReadString(byte[] elf, long at)
    {
        var end = Array.IndexOf(elf, (byte)0, (int)at);
        return Encoding.ASCII.GetString(elf, (int)at, end - (int)at);
    }
}
