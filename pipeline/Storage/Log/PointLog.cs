using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FunctionsObservability.Pipeline.Storage.Log;

/// <summary>
/// The store's write-ahead log, and the point at which a write is durable: the writer appends each
/// group commit here and syncs it once, then answers. DuckDB is fed from memory later, in large
/// sorted chunks, and records the last sequence it holds in the same transaction; once it has
/// everything, the log starts over in a new file. So the log holds only what the database file
/// does not, and a restart replays exactly that.
/// </summary>
/// <remarks>
/// One file at a time, <c>&lt;first sequence&gt;.log</c> in the log folder; only the writer
/// (holding its gate) calls in. An append that fails is wiped before the error is returned, so a
/// request that was refused can never come back at replay.
/// </remarks>
internal sealed class PointLog : IDisposable
{
    private const string Extension = ".log";
    private readonly string _directory;
    private readonly List<string> _sealed = [];
    private SafeFileHandle _file;
    private string _path;
    private long _end;

    private PointLog(string directory, SafeFileHandle file, string path)
    {
        _directory = directory;
        _file = file;
        _path = path;
    }

    /// <summary>Bytes in the current file: what a restart would replay.</summary>
    public long Length => _end;

    /// <summary>The folder of the log for a database file: beside it, named after it.</summary>
    public static string DirectoryFor(string databasePath) => databasePath + ".log";

    /// <summary>The log files present, oldest first.</summary>
    public static IReadOnlyList<string> Files(string directory) =>
        Directory.Exists(directory)
            ? [.. Directory.EnumerateFiles(directory, "*" + Extension).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>
    /// Starts a new, empty log whose first record will be <paramref name="firstSequence"/>, and
    /// deletes every older file: call it only when the database holds all they held.
    /// </summary>
    public static PointLog StartNew(string directory, long firstSequence)
    {
        Directory.CreateDirectory(directory);
        var old = Files(directory);
        var path = PathOf(directory, firstSequence);
        var file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        var log = new PointLog(directory, file, path);
        log.SyncDirectory();
        foreach (var stale in old)
        {
            if (!string.Equals(stale, path, StringComparison.Ordinal))
            {
                File.Delete(stale);
            }
        }

        return log;
    }

    /// <summary>Appends one encoded record and syncs it to disk; on failure the record is wiped and the error rethrown.</summary>
    public void Append(ReadOnlySpan<byte> record)
    {
        var start = _end;
        try
        {
            RandomAccess.Write(_file, record, start);
            _end = start + record.Length;
            Sync();
        }
        catch (ArgumentOutOfRangeException exception)
        {
            // .NET reports EFBIG (the file size limit) this way; it is a full disk to the writer.
            Wipe(start);
            throw new IOException($"appending to the point log {_path} failed: File too large ({exception.Message})", exception);
        }
        catch
        {
            Wipe(start);
            throw;
        }
    }

    /// <summary>Takes back the last record (its commit failed after it was logged): it must never be replayed.</summary>
    public void Retract(long recordStart) => Wipe(recordStart);

    /// <summary>The offset the next record will be written at.</summary>
    public long Position => _end;

    /// <summary>Replaces the current file by a new, empty one starting at <paramref name="firstSequence"/>, and deletes the old ones.</summary>
    public void Restart(long firstSequence)
    {
        Seal(firstSequence);
        DeleteSealed();
    }

    /// <summary>
    /// Goes on in a new file starting at <paramref name="firstSequence"/>; the current one is kept
    /// (and replayed after a crash) until <see cref="DeleteSealed"/>, once the file holds its records.
    /// </summary>
    public void Seal(long firstSequence)
    {
        var next = PathOf(_directory, firstSequence);
        if (string.Equals(next, _path, StringComparison.Ordinal))
        {
            return;
        }

        var file = File.OpenHandle(next, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        SyncDirectory();
        lock (_sealed)
        {
            _sealed.Add(_path);
        }

        _file.Dispose();
        _file = file;
        _path = next;
        _end = 0;
    }

    /// <summary>Deletes the files sealed so far: the database file holds everything they held.</summary>
    public void DeleteSealed()
    {
        lock (_sealed)
        {
            foreach (var path in _sealed)
            {
                File.Delete(path);
            }

            _sealed.Clear();
        }
    }

    public void Dispose() => _file.Dispose();

    private static string PathOf(string directory, long firstSequence) =>
        Path.Combine(directory, firstSequence.ToString("D19", CultureInfo.InvariantCulture) + Extension);

    private void Wipe(long start)
    {
        // Zeros where the header was make replay stop there; the length goes back too, so the
        // next append lands at the same offset.
        try
        {
            RandomAccess.SetLength(_file, start);
            Sync();
        }
        catch (IOException)
        {
            var zeros = new byte[PointLogRecord.HeaderSize];
            RandomAccess.Write(_file, zeros, start);
            Sync();
        }

        _end = start;
    }

    private void Sync()
    {
        if (OperatingSystem.IsLinux())
        {
            // fdatasync skips the inode times that fsync would also write: one less disk write per commit.
            if (FDataSync(_file) != 0)
            {
                throw new IOException($"fdatasync of {_path} failed: errno {Marshal.GetLastPInvokeError()}");
            }

            return;
        }

        RandomAccess.FlushToDisk(_file);
    }

    /// <summary>A new file's name must survive a crash too, so its folder entry is synced.</summary>
    private void SyncDirectory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(_directory, ReadOnlyDirectory);
        if (fd < 0)
        {
            throw new IOException($"opening {_directory} to sync it failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            if (FSyncDescriptor(fd) != 0)
            {
                throw new IOException($"fsync of {_directory} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>O_RDONLY | O_DIRECTORY on Linux.</summary>
    private const int ReadOnlyDirectory = 0x10000;

    // DllImport, not LibraryImport: the pipeline does not allow unsafe code, and a SafeFileHandle
    // and an int need no marshalling code of their own.
    [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static extern int FDataSync(SafeFileHandle handle);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int FSyncDescriptor(int fd);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
