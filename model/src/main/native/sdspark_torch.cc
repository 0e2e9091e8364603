// sdspark's libtorch extension: the PyTorch ops DJL's engine does not expose, called on DJL's own
// tensors. DJL's PyTorch JNI hands tensors around as heap-allocated torch::Tensor* (a "handle");
// every function here reads such handles and returns new ones, which Java wraps as PtNDArray and
// frees like any other DJL array. Built against the libtorch headers of the exact version DJL loads.

#include <jni.h>

#include <ATen/ATen.h>
#include <c10/core/CachingDeviceAllocator.h>
#include <c10/core/GradMode.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gradient_hooks.h"

#ifdef SDSPARK_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace {

at::Tensor& tensor(jlong handle) {
  return *reinterpret_cast<at::Tensor*>(handle);
}

jlong handle(at::Tensor&& result) {
  return reinterpret_cast<jlong>(new at::Tensor(std::move(result)));
}

std::optional<at::Tensor> optional(jlong handle) {
  return handle == 0 ? std::nullopt : std::optional<at::Tensor>(tensor(handle));
}

std::vector<at::Tensor> tensors(JNIEnv* env, jlongArray handles) {
  jsize n = env->GetArrayLength(handles);
  std::vector<jlong> raw(n);
  env->GetLongArrayRegion(handles, 0, n, raw.data());
  std::vector<at::Tensor> result;
  result.reserve(n);
  for (jlong h : raw) {
    result.push_back(tensor(h));
  }
  return result;
}

// libtorch reports errors as C++ exceptions; they must not unwind through the JVM's frames.
void rethrow(JNIEnv* env, const std::exception& e) {
  jclass type = env->FindClass("ai/djl/engine/EngineException");
  env->ThrowNew(type, e.what());
}

template <typename F>
auto guarded(JNIEnv* env, F body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    rethrow(env, e);
    return decltype(body())();
  }
}

std::vector<int64_t> int64s(JNIEnv* env, jlongArray values) {
  std::vector<jlong> raw(env->GetArrayLength(values));
  env->GetLongArrayRegion(values, 0, static_cast<jsize>(raw.size()), raw.data());
  return std::vector<int64_t>(raw.begin(), raw.end());
}

// Index 0 of each StatArray is the aggregate over the allocator's pools.
constexpr size_t kAllPools = 0;

#ifdef SDSPARK_CUDA
// A step recorded once as a CUDA graph. Its eager warm-up and its capture run on a stream of its
// own (capture cannot use the legacy default stream, and the warm-up gives cuBLAS and cuDNN their
// workspaces on that stream before the capture); replays go to the caller's current stream.
struct StepGraph {
  StepGraph(int device, StepGraph* sharesMemoryWith)
      : stream(c10::cuda::getStreamFromPool(false, static_cast<c10::DeviceIndex>(device))),
        pool(sharesMemoryWith == nullptr ? at::cuda::MempoolId_t{0, 0} : sharesMemoryWith->graph.pool()) {}

  // Work on `to` starts after all work queued so far on `from`.
  static void order(const c10::cuda::CUDAStream& from, const c10::cuda::CUDAStream& to) {
    at::cuda::CUDAEvent done;
    done.record(from);
    done.block(to);
  }

  at::cuda::CUDAGraph graph;
  c10::cuda::CUDAStream stream;
  // {0, 0}: a memory pool of its own
  at::cuda::MempoolId_t pool;
  std::optional<c10::cuda::CUDAStreamGuard> onOwnStream;
};

StepGraph& stepGraph(jlong handle) {
  return *reinterpret_cast<StepGraph*>(handle);
}
#endif

}  // namespace

extern "C" {

JNIEXPORT jstring JNICALL Java_org_sdspark_model_nn_TorchExtension_torchVersion(JNIEnv* env, jclass) {
  return env->NewStringUTF(TORCH_VERSION);
}

// (B, H, L, D) query, key and value; the result carries SDPA's backward node when grad mode is on.
JNIEXPORT jlong JNICALL Java_org_sdspark_model_nn_TorchExtension_scaledDotProductAttention(
    JNIEnv* env, jclass, jlong q, jlong k, jlong v, jboolean causal) {
  return guarded(env, [&] {
    return handle(at::scaled_dot_product_attention(tensor(q), tensor(k), tensor(v), std::nullopt, 0.0, causal));
  });
}

JNIEXPORT jlong JNICALL Java_org_sdspark_model_nn_TorchExtension_groupNorm(
    JNIEnv* env, jclass, jlong x, jint groups, jlong weight, jlong bias, jdouble eps) {
  return guarded(env, [&] {
    return handle(at::group_norm(tensor(x), groups, optional(weight), optional(bias), eps, true));
  });
}

JNIEXPORT jlong JNICALL Java_org_sdspark_model_nn_TorchExtension_silu(JNIEnv* env, jclass, jlong x) {
  return guarded(env, [&] { return handle(at::silu(tensor(x))); });
}

JNIEXPORT jlong JNICALL Java_org_sdspark_model_nn_TorchExtension_upsampleNearest(
    JNIEnv* env, jclass, jlong x, jlong height, jlong width) {
  return guarded(env, [&] {
    return handle(at::upsample_nearest2d(tensor(x), std::vector<int64_t>{height, width}, std::nullopt, std::nullopt));
  });
}

// torch.optim.AdamW(fused=True).step over lists of same-device tensors: the step counters are
// incremented before the kernel and, when found_inf is set (a skipped fp16 step), taken back.
// With grad_scale the kernel divides the gradients by it first.
JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_fusedAdamW(
    JNIEnv* env, jclass, jlongArray params, jlongArray grads, jlongArray expAvgs, jlongArray expAvgSqs,
    jlongArray steps, jdouble lr, jdouble beta1, jdouble beta2, jdouble weightDecay, jdouble eps,
    jlong gradScale, jlong foundInf) {
  guarded(env, [&] {
    c10::NoGradGuard no_grad;  // an optimizer step is not part of any graph (torch.optim steps under no_grad)
    std::vector<at::Tensor> counters = tensors(env, steps);
    at::_foreach_add_(counters, 1);
    at::_fused_adamw_(tensors(env, params), tensors(env, grads), tensors(env, expAvgs), tensors(env, expAvgSqs),
                      {}, counters, lr, beta1, beta2, weightDecay, eps, false, false, optional(gradScale),
                      optional(foundInf));
    if (foundInf != 0) {
      for (at::Tensor& counter : counters) {
        counter.sub_(tensor(foundInf));
      }
    }
    return 0;
  });
}

// A run of one: GradientHooks write the parameters' gradients into the flat buffer during backward,
// all in one bucket that nothing reduces.
JNIEXPORT jlong JNICALL Java_org_sdspark_model_nn_TorchExtension_gradientHooks(
    JNIEnv* env, jclass, jlong flat, jlongArray params, jlongArray offsets) {
  return guarded(env, [&]() -> jlong {
    std::vector<at::Tensor> parameters = tensors(env, params);
    std::vector<int> bucketOf(parameters.size(), 0);
    auto hooks = std::make_unique<sdspark::GradientHooks>(tensor(flat), std::move(parameters), int64s(env, offsets),
                                                          std::move(bucketOf), 1, [](size_t) {});
    return reinterpret_cast<jlong>(hooks.release());
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_gradientHooksFinish(JNIEnv* env, jclass, jlong handle) {
  guarded(env, [&] {
    auto* hooks = reinterpret_cast<sdspark::GradientHooks*>(handle);
    hooks->complete();
    hooks->reset();
    return 0;
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_gradientHooksClose(JNIEnv* env, jclass, jlong handle) {
  guarded(env, [&] {
    delete reinterpret_cast<sdspark::GradientHooks*>(handle);
    return 0;
  });
}

// Each parameter takes its slice of the flat buffer, cast to its own dtype: one call for what would
// be four engine calls per parameter from Java.
JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_copyFromFlat(
    JNIEnv* env, jclass, jlong flat, jlongArray params, jlongArray offsets) {
  guarded(env, [&] {
    c10::NoGradGuard no_grad;
    at::Tensor& source = tensor(flat);
    std::vector<at::Tensor> parameters = tensors(env, params);
    std::vector<int64_t> starts = int64s(env, offsets);
    for (size_t i = 0; i < parameters.size(); i++) {
      parameters[i].copy_(source.narrow(0, starts[i], parameters[i].numel()).view(parameters[i].sizes()));
    }
    return 0;
  });
}

// {allocated, peak allocated, reserved, peak reserved} bytes of the CUDA caching allocator.
JNIEXPORT jlongArray JNICALL Java_org_sdspark_model_nn_TorchExtension_cudaMemory(JNIEnv* env, jclass, jint device) {
  return guarded(env, [&]() -> jlongArray {
    auto stats = c10::getDeviceAllocator(c10::DeviceType::CUDA)->getDeviceStats(device);
    const auto& allocated = stats.allocated_bytes[kAllPools];
    const auto& reserved = stats.reserved_bytes[kAllPools];
    jlong values[] = {allocated.current, allocated.peak, reserved.current, reserved.peak};
    jlongArray result = env->NewLongArray(4);
    env->SetLongArrayRegion(result, 0, 4, values);
    return result;
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_resetPeakMemory(JNIEnv* env, jclass, jint device) {
  guarded(env, [&] {
    c10::getDeviceAllocator(c10::DeviceType::CUDA)->resetPeakStats(device);
    return 0;
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_synchronize(JNIEnv* env, jclass, jint device) {
  guarded(env, [&] {
    torch::cuda::synchronize(device);
    return 0;
  });
}

JNIEXPORT jboolean JNICALL Java_org_sdspark_model_nn_TorchExtension_cudaGraphsBuilt(JNIEnv*, jclass) {
#ifdef SDSPARK_CUDA
  return JNI_TRUE;
#else
  return JNI_FALSE;
#endif
}

#ifdef SDSPARK_CUDA
// With sharesMemoryWith (a recorded graph, or 0) the new graph's temporaries take the same memory:
// safe while their replays never overlap and neither keeps a temporary past its own replay.
JNIEXPORT jlong JNICALL Java_org_sdspark_model_nn_TorchExtension_stepGraphCreate(
    JNIEnv* env, jclass, jint device, jlong sharesMemoryWith) {
  return guarded(env, [&] {
    return reinterpret_cast<jlong>(
        new StepGraph(device, sharesMemoryWith == 0 ? nullptr : &stepGraph(sharesMemoryWith)));
  });
}

// Until leaveOwnStream, this thread's work (and the backward of what it records) goes to the
// graph's stream, after everything already queued on the current one.
JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_stepGraphEnterOwnStream(JNIEnv* env, jclass, jlong h) {
  guarded(env, [&] {
    StepGraph& g = stepGraph(h);
    StepGraph::order(c10::cuda::getCurrentCUDAStream(g.stream.device_index()), g.stream);
    g.onOwnStream.emplace(g.stream);
    return 0;
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_stepGraphLeaveOwnStream(JNIEnv* env, jclass, jlong h) {
  guarded(env, [&] {
    StepGraph& g = stepGraph(h);
    g.onOwnStream.reset();
    StepGraph::order(g.stream, c10::cuda::getCurrentCUDAStream(g.stream.device_index()));
    return 0;
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_stepGraphCaptureBegin(JNIEnv* env, jclass, jlong h) {
  guarded(env, [&] {
    StepGraph& g = stepGraph(h);
    g.graph.capture_begin(g.pool);
    return 0;
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_stepGraphCaptureEnd(JNIEnv* env, jclass, jlong h) {
  guarded(env, [&] {
    stepGraph(h).graph.capture_end();
    return 0;
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_stepGraphReplay(JNIEnv* env, jclass, jlong h) {
  guarded(env, [&] {
    stepGraph(h).graph.replay();
    return 0;
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_nn_TorchExtension_stepGraphClose(JNIEnv* env, jclass, jlong h) {
  guarded(env, [&] {
    delete reinterpret_cast<StepGraph*>(h);
    return 0;
  });
}
#endif

}  // extern "C"
