// Memory helpers of the run-time ABI for the Arm architecture (RTABI, section 4.3.4)
// that LLVM's Arm back end calls for Rust code (zeroing or copying a struct) and GCC
// never does. C libraries such as newlib have them; some ports link without one
// (qemu: -nostdlib), and irqio links only its own objects, not Rust's compiler_builtins
// (see micropython.mk). Weak: a definition of the port's own wins.
#if defined(__ARM_EABI__)
#include <stddef.h>
#include <string.h>

#define IRQIO_WEAK __attribute__((weak))

IRQIO_WEAK void __aeabi_memclr(void *dest, size_t n) {
    memset(dest, 0, n);
}
IRQIO_WEAK void __aeabi_memclr4(void *dest, size_t n) {
    memset(dest, 0, n);
}
IRQIO_WEAK void __aeabi_memclr8(void *dest, size_t n) {
    memset(dest, 0, n);
}
IRQIO_WEAK void __aeabi_memset(void *dest, size_t n, int c) {
    memset(dest, c, n);
}
IRQIO_WEAK void __aeabi_memset4(void *dest, size_t n, int c) {
    memset(dest, c, n);
}
IRQIO_WEAK void __aeabi_memset8(void *dest, size_t n, int c) {
    memset(dest, c, n);
}
IRQIO_WEAK void __aeabi_memcpy(void *dest, const void *src, size_t n) {
    memcpy(dest, src, n);
}
IRQIO_WEAK void __aeabi_memcpy4(void *dest, const void *src, size_t n) {
    memcpy(dest, src, n);
}
IRQIO_WEAK void __aeabi_memcpy8(void *dest, const void *src, size_t n) {
    memcpy(dest, src, n);
}
IRQIO_WEAK void __aeabi_memmove(void *dest, const void *src, size_t n) {
    memmove(dest, src, n);
}
IRQIO_WEAK void __aeabi_memmove4(void *dest, const void *src, size_t n) {
    memmove(dest, src, n);
}
IRQIO_WEAK void __aeabi_memmove8(void *dest, const void *src, size_t n) {
    memmove(dest, src, n);
}
#endif
