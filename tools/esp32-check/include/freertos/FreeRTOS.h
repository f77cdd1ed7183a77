// Stand-in for ESP-IDF's FreeRTOS.h (types and declarations MicroPython's esp32
// headers and irqio's esp32 glue use; nothing is linked).
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sdkconfig.h"
#include "esp_attr.h"
typedef long BaseType_t;
typedef unsigned long UBaseType_t;
typedef uint32_t TickType_t;
typedef void *TaskHandle_t;
typedef struct {
    volatile uint32_t owner;
    volatile uint32_t count;
} portMUX_TYPE;
#define pdFALSE ((BaseType_t)0)
#define pdTRUE ((BaseType_t)1)
void vPortEnterCritical(portMUX_TYPE *mux);
void vPortExitCritical(portMUX_TYPE *mux);
#define portENTER_CRITICAL(mux) vPortEnterCritical(mux)
#define portEXIT_CRITICAL(mux) vPortExitCritical(mux)
BaseType_t xPortInIsrContext(void);
