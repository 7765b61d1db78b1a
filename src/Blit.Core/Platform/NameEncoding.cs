using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Text;

namespace Blit.Platform;

/// <summary>
/// Names (and symlink targets) are bytes on Linux, UTF-8 or not. The engine keeps them as strings:
/// valid UTF-8 decodes as usual, and each byte of a sequence that is not valid UTF-8 becomes the
/// lone surrogate U+DC80..U+DCFF (U+DC00 + the byte, as Python's "surrogateescape"), which valid
/// UTF-8 never decodes to. So decoding loses nothing, equal bytes give equal strings (ordinal order
/// pairs them in the planner as before), and <see cref="Encode"/> gives the exact bytes back for
/// every system call. <see cref="Display"/> shows such bytes as <c>\xNN</c> in messages.
/// </summary>
internal static class NameEncoding
{
    private const char FirstEscape = '\uDC80', LastEscape = '\uDCFF';

    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }
        var sb = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out Rune rune, out int consumed) == System.Buffers.OperationStatus.Done)
            {
                sb.Append(rune);
                bytes = bytes[consumed..];
            }
            else
            {
                sb.Append((char)(0xDC00 + bytes[0])); // always >= 0x80: ASCII bytes are valid UTF-8
                bytes = bytes[1..];
            }
        }
        return sb.ToString();
    }

    /// <summary>True when <paramref name="s"/> holds bytes that are not UTF-8 (escaped).</summary>
    public static bool HasEscapes(ReadOnlySpan<char> s) => s.IndexOfAnyInRange(FirstEscape, LastEscape) >= 0;

    /// <summary>The number of bytes <see cref="Encode"/> writes for <paramref name="s"/>.</summary>
    public static int GetByteCount(ReadOnlySpan<char> s)
    {
        if (!HasEscapes(s))
        {
            return Encoding.UTF8.GetByteCount(s);
        }
        int count = 0;
        while (!s.IsEmpty)
        {
            count += Next(ref s, out Rune rune, out byte raw) ? rune.Utf8SequenceLength : raw == 0 ? 3 : 1;
        }
        return count;
    }

    /// <summary>Writes the bytes <paramref name="s"/> stands for (no terminator); returns how many.</summary>
    public static int Encode(ReadOnlySpan<char> s, Span<byte> destination)
    {
        if (!HasEscapes(s))
        {
            return Encoding.UTF8.GetBytes(s, destination);
        }
        int written = 0;
        while (!s.IsEmpty)
        {
            if (Next(ref s, out Rune rune, out byte raw))
            {
                written += rune.EncodeToUtf8(destination[written..]);
            }
            else if (raw != 0)
            {
                destination[written++] = raw;
            }
            else
            {
                written += Rune.ReplacementChar.EncodeToUtf8(destination[written..]); // as UTF-8 encoding does
            }
        }
        return written;
    }

    /// <summary>
    /// Takes one character (or surrogate pair) off <paramref name="s"/>: true with a rune, else false
    /// with the escaped byte in <paramref name="raw"/> (0 for a lone surrogate that is no escape).
    /// </summary>
    private static bool Next(ref ReadOnlySpan<char> s, out Rune rune, out byte raw)
    {
        if (Rune.DecodeFromUtf16(s, out rune, out int consumed) == System.Buffers.OperationStatus.Done)
        {
            s = s[consumed..];
            raw = 0;
            return true;
        }
        char c = s[0];
        s = s[1..];
        raw = c is >= FirstEscape and <= LastEscape ? (byte)(c - 0xDC00) : (byte)0;
        return false;
    }

    /// <summary>The name or path for people: bytes that are not UTF-8 shown as <c>\xNN</c> (for example <c>caf\xE9</c>).</summary>
    public static string Display(string s)
    {
        if (!HasEscapes(s))
        {
            return s;
        }
        var sb = new StringBuilder(s.Length + 8);
        ReadOnlySpan<char> rest = s;
        while (!rest.IsEmpty)
        {
            int start = s.Length - rest.Length;
            if (Next(ref rest, out _, out byte raw) || raw == 0)
            {
                sb.Append(s, start, s.Length - rest.Length - start);
            }
            else
            {
                sb.Append("\\x").Append(raw.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return sb.ToString();
    }

    /// <summary>The string for the NUL-terminated bytes at <paramref name="p"/>.</summary>
    public static unsafe string FromNative(byte* p) => Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(p));
}

/// <summary>
/// Passes a string to a system call as the exact bytes it stands for (<see cref="NameEncoding"/>),
/// NUL-terminated: the built-in UTF-8 marshalling would turn an escaped byte into U+FFFD.
/// </summary>
[CustomMarshaller(typeof(string), MarshalMode.ManagedToUnmanagedIn, typeof(ManagedToUnmanagedIn))]
internal static unsafe class NameMarshaller
{
    public ref struct ManagedToUnmanagedIn
    {
        /// <summary>A name of up to 255 bytes, and its terminator, needs no allocation.</summary>
        public static int BufferSize => 0x100;

        private byte* _native;
        private bool _allocated;

        public void FromManaged(string? managed, Span<byte> buffer)
        {
            _allocated = false;
            if (managed is null)
            {
                _native = null;
                return;
            }
            if ((long)managed.Length * 3 + 1 > buffer.Length)
            {
                int exact = NameEncoding.GetByteCount(managed) + 1;
                if (exact > buffer.Length)
                {
                    buffer = new Span<byte>(NativeMemory.Alloc((nuint)exact), exact);
                    _allocated = true;
                }
            }
            int n = NameEncoding.Encode(managed, buffer);
            buffer[n] = 0;
            _native = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer));
        }

        public readonly byte* ToUnmanaged() => _native;

        public readonly void Free()
        {
            if (_allocated)
            {
                NativeMemory.Free(_native);
            }
        }
    }
}
