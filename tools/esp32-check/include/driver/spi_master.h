// Stand-in for ESP-IDF's spi_master.h.
#pragma once
typedef int spi_host_device_t;
