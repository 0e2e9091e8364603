// Shared by sdspark's two native libraries (the torch extension, ./, and the NCCL collectives,
// nccl/): hooks that write each trained parameter's gradient, as autograd produces it, into the
// parameter's slice of one flat buffer. The optimizer step then reads one tensor, and no gather of
// hundreds of gradients follows backward; a data-parallel run reduces the buffer bucket by bucket
// while backward goes on, as PyTorch DDP's reducer does.
#pragma once

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <algorithm>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace sdspark {

// Parameter i's gradient goes to flat[offsets[i], offsets[i] + numel): the first micro-batch of a
// step copies it there, later ones add. Parameters belong to buckets; in a micro-batch armed with
// beforeBackward(true), onBucketReady(b) runs as soon as every parameter of bucket b has reported
// and every bucket before b has run (all ranks of a data-parallel run must see the same order).
// complete() zeroes the slices of parameters backward never reached and runs the buckets left;
// reset() readies the next step and releases the parameters' own gradients, which autograd
// accumulated as well. Hooks run on autograd's thread, the other calls on the caller's: a mutex
// orders them.
class GradientHooks {
 public:
  GradientHooks(at::Tensor flat, std::vector<at::Tensor> parameters, std::vector<int64_t> offsets,
                std::vector<int> bucketOf, size_t buckets, std::function<void(size_t)> onBucketReady)
      : flat_(std::move(flat)),
        parameters_(std::move(parameters)),
        offsets_(std::move(offsets)),
        bucketOf_(std::move(bucketOf)),
        size_(buckets, 0),
        onBucketReady_(std::move(onBucketReady)) {
    if (offsets_.size() != parameters_.size() || bucketOf_.size() != parameters_.size()) {
      throw std::invalid_argument("one offset and one bucket per parameter");
    }
    for (size_t i = 0; i < parameters_.size(); i++) {
      if (offsets_[i] < 0 || offsets_[i] + parameters_[i].numel() > flat_.numel() || bucketOf_[i] < 0 ||
          static_cast<size_t>(bucketOf_[i]) >= buckets) {
        throw std::invalid_argument("parameter " + std::to_string(i) + " does not fit the flat buffer's layout");
      }
      size_[bucketOf_[i]]++;
    }
    pending_ = size_;
    written_.assign(parameters_.size(), 0);
    try {
      for (size_t i = 0; i < parameters_.size(); i++) {
        hooks_.push_back(parameters_[i].register_hook([this, i](const at::Tensor& grad) { onGradient(i, grad); }));
      }
    } catch (...) {
      removeHooks();
      throw;
    }
  }

  GradientHooks(const GradientHooks&) = delete;
  GradientHooks& operator=(const GradientHooks&) = delete;

  ~GradientHooks() { removeHooks(); }

  void beforeBackward(bool last) {
    std::lock_guard<std::mutex> lock(mutex_);
    last_ = last;
    pending_ = size_;
  }

  void complete() {
    std::lock_guard<std::mutex> lock(mutex_);
    c10::NoGradGuard noGrad;
    for (size_t i = 0; i < parameters_.size(); i++) {
      if (!written_[i]) {
        flat_.narrow(0, offsets_[i], parameters_[i].numel()).zero_();
      }
    }
    while (launched_ < size_.size()) {
      onBucketReady_(launched_++);
    }
  }

  void reset() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::fill(written_.begin(), written_.end(), 0);
    launched_ = 0;
    last_ = false;
    pending_ = size_;
    for (at::Tensor& p : parameters_) {
      p.mutable_grad().reset();
    }
  }

 private:
  void onGradient(size_t i, const at::Tensor& grad) {
    std::lock_guard<std::mutex> lock(mutex_);
    c10::NoGradGuard noGrad;
    at::Tensor slice = flat_.narrow(0, offsets_[i], grad.numel()).view(grad.sizes());
    if (written_[i]) {
      slice.add_(grad);
    } else {
      slice.copy_(grad);
      written_[i] = 1;
    }
    if (last_ && --pending_[bucketOf_[i]] == 0) {
      while (launched_ < size_.size() && pending_[launched_] == 0) {
        onBucketReady_(launched_++);
      }
    }
  }

  void removeHooks() {
    for (size_t i = 0; i < hooks_.size(); i++) {
      parameters_[i].remove_hook(hooks_[i]);
    }
    hooks_.clear();
  }

  at::Tensor flat_;
  std::vector<at::Tensor> parameters_;
  std::vector<int64_t> offsets_;
  std::vector<int> bucketOf_;
  std::vector<int> size_;     // parameters in each bucket
  std::vector<int> pending_;  // of those, not yet reported in this micro-batch
  std::vector<char> written_;  // per parameter: its slice holds this step's gradient
  std::vector<unsigned> hooks_;
  std::function<void(size_t)> onBucketReady_;
  size_t launched_ = 0;
  bool last_ = false;
  std::mutex mutex_;
};

}  // namespace sdspark
