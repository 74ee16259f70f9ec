#include "dense_model.hpp"

#include "gbt_model.hpp"

#include <mutex>

// The model file, built in by the assembler: no conversion step, and a changed file rebuilds
// this object (see CMakeLists.txt). A zero byte follows it so an empty file still has an end.
asm(".section .rodata\n"
    ".balign 16\n"
    "portscreen_dense_model_begin:\n"
    ".incbin \"" PORTSCREEN_DENSE_MODEL "\"\n"
    "portscreen_dense_model_end:\n"
    ".byte 0\n"
    ".previous\n");

extern "C" const std::uint8_t portscreen_dense_model_begin[];
extern "C" const std::uint8_t portscreen_dense_model_end[];

namespace portscreen::scanner_io {

std::span<const std::uint8_t> dense_object_model() {
    return {portscreen_dense_model_begin, portscreen_dense_model_end};
}

std::vector<float> dense_object_margins(const profiling::FeatureMatrix& features) {
    if (features.rows == 0 || dense_object_model().empty())
        return {};
    // One model for the process, shared under a lock (a prediction takes about a millisecond)
    // and never destroyed: per-thread copies freed at thread exit corrupt XGBoost's own
    // per-thread state.
    static const profiling::GbtModel* const model =
        new profiling::GbtModel(profiling::GbtModel::deserialize(dense_object_model()));
    static std::mutex lock;
    const std::scoped_lock guard(lock);
    return model->predict_margin(features);
}

} // namespace portscreen::scanner_io
