// Stand-in for ESP-IDF's esp_system.h (declarations only: nothing is linked).
#pragma once
#include "sdkconfig.h"
#include "esp_err.h"
#include "esp_attr.h"
#include "esp_idf_version.h"
#include "soc/soc_caps.h"
void esp_restart(void) __attribute__((noreturn));
void esp_system_abort(const char *details) __attribute__((noreturn));
uint32_t esp_rom_get_cpu_ticks_per_us(void);
void esp_rom_delay_us(uint32_t us);
