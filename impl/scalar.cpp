// Placeholder for the plain float32 kernels.
#include "impl/storage.hpp"
