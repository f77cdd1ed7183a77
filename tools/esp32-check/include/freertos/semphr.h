// Stand-in for ESP-IDF's FreeRTOS semphr.h.
#pragma once
#include "freertos/FreeRTOS.h"
typedef void *SemaphoreHandle_t;
typedef struct {
    void *opaque[20];
} StaticSemaphore_t;
