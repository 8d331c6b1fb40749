using System.Security.Cryptography;

namespace CaseGrains.Grains.Identity;

/// <summary>
/// Secret keys kept in files when configuration names none (embedded mode): created exclusively with mode 0600,
/// so two processes starting together end up with the same key, and checked for length when read.
/// </summary>
public static class KeyFiles
{
    public const int MinKeyBytes = 32;

    public static byte[] LoadOrCreate(string path, string configurationKey)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path))
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var writer = new StreamWriter(path, options);
                writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(MinKeyBytes)));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }

        var text = File.ReadAllText(path).Trim();
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, buffer, out var written) || written < MinKeyBytes)
        {
            throw new InvalidOperationException(
                $"The key file {path} is not base64 of at least {MinKeyBytes} bytes; fix or remove it, or set {configurationKey}.");
        }

        return buffer[..written];
    }
}
