/* Debian's Wine 8 has no ProcessPrng in bcryptprimitives.dll, which Rust's
 * standard library imports on Windows for random numbers. This stand-in,
 * placed beside the test programs under Wine only, asks RtlGenRandom
 * (advapi32's SystemFunction036) instead. Never shipped. */
#include <windows.h>

typedef BOOLEAN(WINAPI *gen_random)(PVOID, ULONG);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    static gen_random fn;
    if (!fn) {
        HMODULE lib = LoadLibraryA("advapi32.dll");
        if (!lib) return FALSE;
        fn = (gen_random)GetProcAddress(lib, "SystemFunction036");
        if (!fn) return FALSE;
    }
    while (len > 0) {
        ULONG part = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
        if (!fn(data, part)) return FALSE;
        data += part;
        len -= part;
    }
    return TRUE;
}
