// Stand-in for ESP-IDF's FreeRTOS queue.h.
#pragma once
#include "freertos/FreeRTOS.h"
