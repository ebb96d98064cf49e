/* ProcessPrng for Wine 8, whose bcryptprimitives.dll lacks it (Windows 10+ has it).
 * libmediapipe.dll imports bcryptprimitives!ProcessPrng; this DLL gives it the documented
 * contract (fill the buffer with cryptographically random bytes, always return TRUE) through
 * advapi32's RtlGenRandom (SystemFunction036), which Wine implements. Test prefix only. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
    while (size > 0) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
