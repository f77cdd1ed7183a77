// Stand-in for ESP-IDF's FreeRTOS task.h.
#pragma once
#include "freertos/FreeRTOS.h"
uint32_t ulTaskNotifyTake(BaseType_t clear_on_exit, TickType_t ticks_to_wait);
