/*
 * A stand-in for bcryptprimitives.dll, for the wine test prefix only (scripts/test-windows.sh).
 *
 * Rust 1.78+ programs for Windows take their random bytes from ProcessPrng in bcryptprimitives.dll (Windows 10 and
 * later). Debian 12's wine 8.0 has no such DLL, so every Rust .exe exits at start with code 53 (DLL not found).
 * This DLL exports ProcessPrng and forwards to RtlGenRandom (advapi32's SystemFunction036), which wine implements
 * with the host's random source. It is never shipped: real Windows has the real DLL.
 */
#include <windows.h>

/* RtlGenRandom is exported by advapi32 under this name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    /* RtlGenRandom takes a ULONG length: ask in chunks. */
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
