// sdspark's NCCL collectives for data-parallel training, on DJL's own GPU tensors. DJL's PyTorch
// JNI hands tensors around as heap-allocated at::Tensor* ("handles"); the collectives run on their
// data_ptr() in place, on the device's current CUDA stream, so they are ordered after the kernels
// that produced the gradients and before those that read them, with no copy through host memory.
//
// Every blocking wait has a deadline: a peer that never arrives or dies mid-step makes NCCL wait
// forever, so the communicator is created non-blocking and each collective is polled; past the
// deadline the communicator is aborted and Java gets an exception saying what timed out.

#include <jni.h>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime.h>
#include <nccl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gradient_hooks.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Communicator {
  ncclComm_t comm;
  int device;
  std::atomic<bool> cancelled{false};  // set from another thread: the waits below give up
  bool aborted = false;
};

at::Tensor& tensor(jlong handle) {
  return *reinterpret_cast<at::Tensor*>(handle);
}

Communicator& communicator(jlong handle) {
  return *reinterpret_cast<Communicator*>(handle);
}

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
  }
}

std::string describe(ncclComm_t comm, ncclResult_t r) {
  std::string text = ncclGetErrorString(r);
  const char* last = ncclGetLastError(comm);
  if (last != nullptr && *last != '\0') {
    text += " (";
    text += last;
    text += ")";
  }
  return text;
}

[[noreturn]] void abandon(Communicator& c, const std::string& why) {
  if (!c.aborted) {
    c.aborted = true;
    ncclCommAbort(c.comm);
  }
  throw std::runtime_error(why);
}

// Gives up on the communicator when the caller was cancelled or the deadline passed.
void giveUpIfDue(Communicator& c, Clock::time_point deadline, const char* what, const char* late) {
  if (c.cancelled.load()) {
    abandon(c, std::string(what) + " was cancelled (the task was killed)");
  }
  if (Clock::now() > deadline) {
    abandon(c, std::string(what) + " did not complete before the timeout: " + late);
  }
}

// Waits until a non-blocking NCCL call has left ncclInProgress.
void settle(Communicator& c, ncclResult_t result, Clock::time_point deadline, const char* what) {
  while (result == ncclInProgress) {
    giveUpIfDue(c, deadline, what, "a peer never arrived or hung");
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    ncclCommGetAsyncError(c.comm, &result);
  }
  if (result != ncclSuccess) {
    abandon(c, std::string(what) + " failed: " + describe(c.comm, result));
  }
}

// Waits for the stream (the collective just enqueued), polling NCCL for asynchronous errors: over
// NVLink or shared memory a dead peer is not an error, only a collective that never ends.
void await(Communicator& c, cudaStream_t stream, Clock::time_point deadline, const char* what) {
  while (true) {
    cudaError_t state = cudaStreamQuery(stream);
    if (state == cudaSuccess) {
      return;
    }
    if (state != cudaErrorNotReady) {
      check(state, what);
    }
    ncclResult_t async = ncclSuccess;
    ncclCommGetAsyncError(c.comm, &async);
    if (async != ncclSuccess && async != ncclInProgress) {
      abandon(c, std::string(what) + " failed: " + describe(c.comm, async));
    }
    giveUpIfDue(c, deadline, what, "a peer died or hung");
    std::this_thread::yield();
  }
}

ncclDataType_t type(const at::Tensor& t) {
  switch (t.scalar_type()) {
    case at::kFloat: return ncclFloat32;
    case at::kHalf: return ncclFloat16;
    case at::kDouble: return ncclFloat64;
    case at::kLong: return ncclInt64;
    default: throw std::invalid_argument(std::string("NCCL collectives take float32/16/64 or int64, not ") +
                                         c10::toString(t.scalar_type()));
  }
}

void requireOnDevice(const at::Tensor& t, const Communicator& c) {
  if (!t.is_cuda() || t.get_device() != c.device || !t.is_contiguous()) {
    throw std::invalid_argument("NCCL collectives need a contiguous tensor on cuda:" + std::to_string(c.device) +
                                ", got one on " + t.device().str());
  }
}

// A CUDA event freed however the call ends.
struct Event {
  cudaEvent_t event = nullptr;
  Event() { check(cudaEventCreate(&event), "cudaEventCreate"); }
  ~Event() { cudaEventDestroy(event); }
  void record(cudaStream_t stream) { check(cudaEventRecord(event, stream), "cudaEventRecord"); }
};

Clock::time_point deadline(jlong timeoutMillis) {
  return Clock::now() + std::chrono::milliseconds(timeoutMillis);
}

// C++ exceptions must not unwind through the JVM's frames.
template <typename F>
auto guarded(JNIEnv* env, F body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    env->ThrowNew(env->FindClass("org/sdspark/model/train/collective/CollectiveException"), e.what());
    return decltype(body())();
  }
}


// Gradients all-reduced while backward runs, as PyTorch DDP's reducer does: GradientHooks write
// each trained parameter's gradient into the flat float32 buffer as autograd produces it, and in
// the step's last micro-batch each bucket whose parameters have all reported is averaged across
// the ranks on a stream of its own while backward goes on.
struct Reducer {
  Communicator* comm;
  at::Tensor flat;
  std::vector<int64_t> from, to;
  std::vector<cudaEvent_t> ready;  // per bucket: its gradients are written (on the compute stream)
  c10::cuda::CUDAStream stream;
  cudaEvent_t begin = nullptr, end = nullptr;
  int64_t timeoutMillis;
  Clock::time_point until;
  std::unique_ptr<sdspark::GradientHooks> hooks;

  Reducer(Communicator* c, const at::Tensor& buffer, std::vector<int64_t> bucketFrom, std::vector<int64_t> bucketTo,
          int64_t timeout)
      : comm(c), flat(buffer), from(std::move(bucketFrom)), to(std::move(bucketTo)),
        stream(c10::cuda::getStreamFromPool(true, static_cast<c10::DeviceIndex>(c->device))),
        timeoutMillis(timeout), until(deadline(timeout)) {
    for (size_t b = 0; b < from.size(); b++) {
      cudaEvent_t e;
      check(cudaEventCreateWithFlags(&e, cudaEventDisableTiming), "cudaEventCreate");
      ready.push_back(e);
    }
    check(cudaEventCreate(&begin), "cudaEventCreate");
    check(cudaEventCreate(&end), "cudaEventCreate");
  }

  ~Reducer() {
    hooks.reset();
    for (cudaEvent_t e : ready) {
      cudaEventDestroy(e);
    }
    cudaEventDestroy(begin);
    cudaEventDestroy(end);
  }

  cudaStream_t compute() const {
    return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(comm->device)).stream();
  }

  // Enqueues bucket b's all-reduce on the reducer's stream, after the compute stream's writes.
  void launch(size_t b) {
    check(cudaEventRecord(ready[b], compute()), "cudaEventRecord");
    check(cudaStreamWaitEvent(stream.stream(), ready[b], 0), "cudaStreamWaitEvent");
    float* data = flat.data_ptr<float>() + from[b];
    settle(*comm, ncclAllReduce(data, data, to[b] - from[b], ncclFloat32, ncclAvg, comm->comm, stream.stream()), until,
           "NCCL all-reduce of a gradient bucket");
  }

  void beforeBackward(bool last) {
    until = deadline(timeoutMillis);
    hooks->beforeBackward(last);
  }

  // Returns the GPU milliseconds the all-reduce adds after backward's last kernel: the part of it
  // that backward did not hide.
  float finish() {
    until = deadline(timeoutMillis);
    check(cudaEventRecord(begin, compute()), "cudaEventRecord");
    hooks->complete();
    check(cudaEventRecord(end, stream.stream()), "cudaEventRecord");
    check(cudaStreamWaitEvent(compute(), end, 0), "cudaStreamWaitEvent");
    await(*comm, stream.stream(), until, "NCCL all-reduce of the gradients");
    float millis = 0;
    check(cudaEventElapsedTime(&millis, begin, end), "cudaEventElapsedTime");
    hooks->reset();
    return std::max(millis, 0.0f);
  }
};

Reducer& reducer(jlong handle) {
  return *reinterpret_cast<Reducer*>(handle);
}

std::vector<jlong> longs(JNIEnv* env, jlongArray array) {
  std::vector<jlong> values(env->GetArrayLength(array));
  env->GetLongArrayRegion(array, 0, static_cast<jsize>(values.size()), values.data());
  return values;
}

}  // namespace

extern "C" {

JNIEXPORT jstring JNICALL Java_org_sdspark_model_train_collective_Nccl_version(JNIEnv* env, jclass) {
  return guarded(env, [&]() -> jstring {
    int v = 0;
    ncclGetVersion(&v);
    std::string text = std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
    return env->NewStringUTF(text.c_str());
  });
}

// Rank 0 makes the id; every rank receives it through the rendezvous.
JNIEXPORT jbyteArray JNICALL Java_org_sdspark_model_train_collective_Nccl_uniqueId(JNIEnv* env, jclass) {
  return guarded(env, [&]() -> jbyteArray {
    ncclUniqueId id;
    ncclResult_t r = ncclGetUniqueId(&id);
    if (r != ncclSuccess) {
      throw std::runtime_error(std::string("ncclGetUniqueId: ") + ncclGetErrorString(r));
    }
    jbyteArray bytes = env->NewByteArray(NCCL_UNIQUE_ID_BYTES);
    env->SetByteArrayRegion(bytes, 0, NCCL_UNIQUE_ID_BYTES, reinterpret_cast<const jbyte*>(id.internal));
    return bytes;
  });
}

JNIEXPORT jlong JNICALL Java_org_sdspark_model_train_collective_Nccl_init(
    JNIEnv* env, jclass, jbyteArray idBytes, jint world, jint rank, jint device, jlong timeoutMillis) {
  return guarded(env, [&]() -> jlong {
    if (env->GetArrayLength(idBytes) != NCCL_UNIQUE_ID_BYTES) {
      throw std::invalid_argument("an NCCL unique id has " + std::to_string(NCCL_UNIQUE_ID_BYTES) + " bytes");
    }
    ncclUniqueId id;
    env->GetByteArrayRegion(idBytes, 0, NCCL_UNIQUE_ID_BYTES, reinterpret_cast<jbyte*>(id.internal));
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(device));
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;
    auto* c = new Communicator();
    c->device = device;
    try {
      settle(*c, ncclCommInitRankConfig(&c->comm, world, id, rank, &config), deadline(timeoutMillis),
             "joining the NCCL communicator");
    } catch (...) {
      delete c;
      throw;
    }
    return reinterpret_cast<jlong>(c);
  });
}

// In-place mean over the ranks. float32 buffers go in one call (NCCL pipelines it); with fp16 each
// bucket of bucketElements is cast to half, averaged, and cast back, so the extra memory is one
// bucket. Returns the milliseconds the GPU spent in the collective (CUDA events around it).
JNIEXPORT jfloat JNICALL Java_org_sdspark_model_train_collective_Nccl_allReduceMean(
    JNIEnv* env, jclass, jlong handle, jlong flat, jlong bucketElements, jboolean fp16, jlong timeoutMillis) {
  return guarded(env, [&]() -> jfloat {
    Communicator& c = communicator(handle);
    at::Tensor& t = tensor(flat);
    requireOnDevice(t, c);
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(c.device));
    c10::NoGradGuard noGrad;
    cudaStream_t stream = c10::cuda::getCurrentCUDAStream(c.device).stream();
    auto until = deadline(timeoutMillis);
    Event start, end;
    start.record(stream);
    if (!fp16 || t.scalar_type() != at::kFloat) {
      settle(c, ncclAllReduce(t.data_ptr(), t.data_ptr(), t.numel(), type(t), ncclAvg, c.comm, stream), until,
             "NCCL all-reduce");
    } else {
      for (int64_t from = 0; from < t.numel(); from += bucketElements) {
        at::Tensor part = t.narrow(0, from, std::min<int64_t>(bucketElements, t.numel() - from));
        at::Tensor half = part.to(at::kHalf);
        settle(c, ncclAllReduce(half.data_ptr(), half.data_ptr(), half.numel(), ncclFloat16, ncclAvg, c.comm, stream),
               until, "NCCL fp16 all-reduce");
        part.copy_(half);
      }
    }
    end.record(stream);
    await(c, stream, until, "NCCL all-reduce");
    float millis = 0;
    check(cudaEventElapsedTime(&millis, start.event, end.event), "cudaEventElapsedTime");
    return millis;
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_train_collective_Nccl_broadcast(
    JNIEnv* env, jclass, jlong handle, jlong flat, jint root, jlong timeoutMillis) {
  guarded(env, [&] {
    Communicator& c = communicator(handle);
    at::Tensor& t = tensor(flat);
    requireOnDevice(t, c);
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(c.device));
    cudaStream_t stream = c10::cuda::getCurrentCUDAStream(c.device).stream();
    auto until = deadline(timeoutMillis);
    settle(c, ncclBroadcast(t.data_ptr(), t.data_ptr(), t.numel(), type(t), root, c.comm, stream), until,
           "NCCL broadcast");
    await(c, stream, until, "NCCL broadcast");
    return 0;
  });
}

JNIEXPORT jlong JNICALL Java_org_sdspark_model_train_collective_Nccl_reducerCreate(
    JNIEnv* env, jclass, jlong handle, jlong flat, jlongArray parameters, jlongArray offsets, jintArray bucketOf,
    jlongArray bucketFrom, jlongArray bucketTo, jlong timeoutMillis) {
  return guarded(env, [&]() -> jlong {
    Communicator& c = communicator(handle);
    at::Tensor& buffer = tensor(flat);
    requireOnDevice(buffer, c);
    if (buffer.scalar_type() != at::kFloat) {
      throw std::invalid_argument("the gradient reducer's flat buffer must be float32");
    }
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(c.device));
    std::vector<jlong> from = longs(env, bucketFrom);
    std::vector<jlong> to = longs(env, bucketTo);
    auto r = std::make_unique<Reducer>(&c, buffer, std::vector<int64_t>(from.begin(), from.end()),
                                       std::vector<int64_t>(to.begin(), to.end()), timeoutMillis);
    std::vector<at::Tensor> params;
    for (jlong p : longs(env, parameters)) {
      params.push_back(tensor(p));
    }
    std::vector<jlong> starts = longs(env, offsets);
    std::vector<jint> buckets(params.size());
    env->GetIntArrayRegion(bucketOf, 0, static_cast<jsize>(buckets.size()), buckets.data());
    Reducer* raw = r.get();
    r->hooks = std::make_unique<sdspark::GradientHooks>(
        buffer, std::move(params), std::vector<int64_t>(starts.begin(), starts.end()),
        std::vector<int>(buckets.begin(), buckets.end()), r->from.size(), [raw](size_t b) { raw->launch(b); });
    return reinterpret_cast<jlong>(r.release());
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_train_collective_Nccl_reducerBeforeBackward(
    JNIEnv* env, jclass, jlong handle, jboolean last) {
  guarded(env, [&] {
    reducer(handle).beforeBackward(last);
    return 0;
  });
}

JNIEXPORT jfloat JNICALL Java_org_sdspark_model_train_collective_Nccl_reducerFinish(JNIEnv* env, jclass, jlong handle) {
  return guarded(env, [&]() -> jfloat {
    Reducer& r = reducer(handle);
    c10::cuda::CUDAGuard guard(static_cast<c10::DeviceIndex>(r.comm->device));
    return r.finish();
  });
}

JNIEXPORT void JNICALL Java_org_sdspark_model_train_collective_Nccl_reducerDestroy(JNIEnv* env, jclass, jlong handle) {
  guarded(env, [&] {
    delete &reducer(handle);
    return 0;
  });
}

// Makes the waits of the call in flight (on another thread) give up and abort the communicator.
JNIEXPORT void JNICALL Java_org_sdspark_model_train_collective_Nccl_cancel(JNIEnv*, jclass, jlong handle) {
  communicator(handle).cancelled.store(true);
}

// Frees the communicator: aborted (no peer is waited for) unless it ended cleanly.
JNIEXPORT void JNICALL Java_org_sdspark_model_train_collective_Nccl_destroy(JNIEnv* env, jclass, jlong handle, jboolean clean) {
  guarded(env, [&] {
    Communicator* c = &communicator(handle);
    if (!c->aborted) {
      if (clean) {
        // non-blocking: finalizing may stay in progress until the peers have finalized too
        ncclResult_t state = ncclCommFinalize(c->comm);
        auto until = Clock::now() + std::chrono::seconds(30);
        while (state == ncclInProgress && Clock::now() < until) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          ncclCommGetAsyncError(c->comm, &state);
        }
        if (state == ncclSuccess) {
          ncclCommDestroy(c->comm);
        } else {
          ncclCommAbort(c->comm);
        }
      } else {
        ncclCommAbort(c->comm);
      }
    }
    delete c;
    return 0;
  });
}

}  // extern "C"
