"""Training-core parity fixtures, made by torch / diffusers / peft from the committed tiny-sd models.

    python3 make_training_fixtures.py FIXTURES_DIR OUT_DIR

FIXTURES_DIR is model/src/test/resources/fixtures (read: tiny-sd/unet, tiny-sd/text_encoder, tiny-sd/scheduler); the
files are written to OUT_DIR/train/. Run it like make_fixtures.py (diffusers source on PYTHONPATH, see README.md).
Models run in float64 on the CPU; tensors are stored as F32 (I64 for integers). Every input the reference draws at
random (latents, noise, the noise-offset draw, timesteps, text states, LoRA weights) is stored, so the Java side runs
the same step on the same numbers. Each fixture's settings are in its safetensors metadata under "settings" (JSON).
Each part runs in its own try/except: one failure is logged and the others are still written.
"""

import json
import math
import os
import sys
import traceback

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

FIXTURES = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2])
LOG = []

# A spread of parameters: convs (3x3, 1x1 shortcut), linears, attention projections, norms, biases.
PARAMS = [
    "conv_in.weight",
    "time_embedding.linear_1.weight",
    "down_blocks.0.resnets.0.conv1.weight",
    "down_blocks.0.resnets.0.norm1.weight",
    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight",
    "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.bias",
    "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight",
    "up_blocks.1.resnets.2.conv_shortcut.weight",
    "conv_out.weight",
    "conv_out.bias",
]


def log(msg):
    print(msg, flush=True)
    LOG.append(msg)


def gen(seed):
    return torch.Generator().manual_seed(seed)


def randn(g, *shape):
    return torch.randn(*shape, generator=g, dtype=torch.float64)


def save(tensors, name, settings):
    out = {}
    for k, v in tensors.items():
        v = torch.as_tensor(v).detach().cpu()
        v = v.to(torch.float32) if v.is_floating_point() else v.to(torch.int64)
        out[k] = v.reshape(-1) if v.dim() == 0 else v.contiguous().clone()
    os.makedirs(os.path.join(OUT, "train"), exist_ok=True)
    save_file(out, os.path.join(OUT, "train", name + ".safetensors"), metadata={
        "generator": "model/src/test/python/make_training_fixtures.py", "settings": json.dumps(settings),
        "torch": torch.__version__, "dtype": "float64 on the CPU, stored as F32"})
    log(f"train/{name}.safetensors: {len(out)} tensors")


def scheduler_config(**overrides):
    with open(os.path.join(FIXTURES, "tiny-sd", "scheduler", "scheduler_config.json")) as f:
        config = json.load(f)
    config.update(overrides)
    return config


def load_unet():
    from diffusers import UNet2DConditionModel
    return UNet2DConditionModel.from_pretrained(os.path.join(FIXTURES, "tiny-sd", "unet")).double().train()


def min_snr_loss(sched, pred, target, timesteps, gamma):
    """train_text_to_image.py's min-SNR-gamma weighted loss (v-prediction divides by snr + 1)."""
    from diffusers.training_utils import compute_snr
    if gamma is None:
        return F.mse_loss(pred, target, reduction="mean"), None
    snr = compute_snr(sched, timesteps)
    weights = torch.stack([snr, gamma * torch.ones_like(timesteps)], dim=1).min(dim=1)[0]
    weights = weights / (snr + 1) if sched.config.prediction_type == "v_prediction" else weights / snr
    loss = F.mse_loss(pred, target, reduction="none")
    return (loss.mean(dim=list(range(1, loss.dim()))) * weights.to(loss.dtype)).mean(), weights


def batch(g, size=2):
    return {"latents": randn(g, size, 4, 8, 8), "noise_base": randn(g, size, 4, 8, 8),
            "noise_offset_draw": randn(g, size, 4, 1, 1), "encoder_hidden_states": randn(g, size, 77, 32)}


def full_step(name, prediction, timesteps, gamma, noise_offset, zero_snr, seed):
    """One optimizer step of train_text_to_image.py: loss, clip, AdamW, EMA."""
    from diffusers import DDPMScheduler
    from diffusers.training_utils import EMAModel
    settings = dict(prediction_type=prediction, snr_gamma=gamma, noise_offset=noise_offset,
                    rescale_betas_zero_snr=zero_snr, lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=1e-2,
                    max_grad_norm=1.0, ema_decay=0.999)
    sched = DDPMScheduler.from_config(scheduler_config(prediction_type=prediction, rescale_betas_zero_snr=zero_snr))
    unet = load_unet()
    params = dict(unet.named_parameters())
    before = {k: v.detach().clone() for k, v in params.items()}
    ema = EMAModel(unet.parameters(), decay=settings["ema_decay"])
    opt = torch.optim.AdamW(unet.parameters(), lr=settings["lr"], betas=tuple(settings["betas"]), eps=settings["eps"],
                            weight_decay=settings["weight_decay"])
    b = batch(gen(seed))
    t = torch.tensor(timesteps)
    noise = b["noise_base"] + noise_offset * b["noise_offset_draw"]
    noisy = sched.add_noise(b["latents"], noise, t)
    target = noise if prediction == "epsilon" else sched.get_velocity(b["latents"], noise, t)
    pred = unet(noisy, t, b["encoder_hidden_states"]).sample
    loss, weights = min_snr_loss(sched, pred, target, t, gamma)
    loss.backward()
    grads = {k: params[k].grad.detach().clone() for k in PARAMS}
    grad_norm = torch.nn.utils.clip_grad_norm_(unet.parameters(), settings["max_grad_norm"])
    opt.step()
    ema.step(unet.parameters())
    shadow = dict(zip(params.keys(), ema.shadow_params))
    delta = torch.cat([(params[k].detach() - before[k]).reshape(-1) for k in params])
    out = {**b, "timesteps": t, "noise": noise, "noisy_latents": noisy, "target": target, "model_pred": pred,
           "loss": loss, "grad_norm": grad_norm, "update_norm": delta.norm(),
           "alphas_cumprod": sched.alphas_cumprod}
    if weights is not None:
        out["snr_weights"] = weights
    for k in PARAMS:
        out["grad." + k] = grads[k]
        out["param." + k] = params[k]
        out["ema." + k] = shadow[k]
    save(out, name, settings)


def adamw_cosine(name, steps=5, seed=200):
    """K AdamW steps with a cosine schedule after warm-up, clipping, and EMA with warm-up."""
    from diffusers import DDPMScheduler
    from diffusers.optimization import get_scheduler
    from diffusers.training_utils import EMAModel
    settings = dict(steps=steps, lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=1e-2, lr_scheduler="cosine",
                    lr_warmup_steps=2, max_grad_norm=0.05, ema_decay=0.9999, ema_min_decay=0.0,
                    ema_update_after_step=0, use_ema_warmup=True, ema_inv_gamma=1.0, ema_power=0.75)
    sched = DDPMScheduler.from_config(scheduler_config())
    unet = load_unet()
    params = dict(unet.named_parameters())
    ema = EMAModel(unet.parameters(), decay=settings["ema_decay"], min_decay=settings["ema_min_decay"],
                   update_after_step=settings["ema_update_after_step"], use_ema_warmup=True,
                   inv_gamma=settings["ema_inv_gamma"], power=settings["ema_power"])
    opt = torch.optim.AdamW(unet.parameters(), lr=settings["lr"], betas=tuple(settings["betas"]), eps=settings["eps"],
                            weight_decay=settings["weight_decay"])
    lr_sched = get_scheduler("cosine", optimizer=opt, num_warmup_steps=settings["lr_warmup_steps"],
                             num_training_steps=steps)
    g = gen(seed)
    out = {}
    for s in range(steps):
        b = batch(g)
        t = torch.randint(0, 1000, (2,), generator=g)
        noisy = sched.add_noise(b["latents"], b["noise_base"], t)
        pred = unet(noisy, t, b["encoder_hidden_states"]).sample
        loss = F.mse_loss(pred, b["noise_base"], reduction="mean")
        loss.backward()
        out[f"step.{s}.grad_norm"] = torch.nn.utils.clip_grad_norm_(unet.parameters(), settings["max_grad_norm"])
        out[f"step.{s}.lr"] = torch.tensor(lr_sched.get_last_lr()[0], dtype=torch.float64)
        opt.step()
        lr_sched.step()
        opt.zero_grad()
        ema.step(unet.parameters())
        out[f"step.{s}.ema_decay"] = torch.tensor(ema.cur_decay_value, dtype=torch.float64)
        out[f"step.{s}.loss"] = loss
        for k in ("latents", "noise_base", "encoder_hidden_states"):
            out[f"step.{s}.{k}"] = b[k]
        out[f"step.{s}.timesteps"] = t
    shadow = dict(zip(params.keys(), ema.shadow_params))
    for k in PARAMS:
        out["param." + k] = params[k]
        out["ema." + k] = shadow[k]
        out["exp_avg." + k] = opt.state[params[k]]["exp_avg"]
        out["exp_avg_sq." + k] = opt.state[params[k]]["exp_avg_sq"]
    save(out, name, settings)


def peft_key(name):
    return name.replace(".lora_A.default.", ".lora_A.").replace(".lora_B.default.", ".lora_B.")


def randomise_lora_b(model, seed):
    """PEFT initialises lora_B to zero (the adapter starts as the identity); seeded values make the forward test it."""
    g = gen(seed)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if ".lora_B." in n:
                p.copy_(0.2 * torch.randn(p.shape, generator=g, dtype=torch.float32).to(p.dtype))


def lora_unet(name, targets, rank, alpha, seed):
    """PEFT LoRA on the UNet (diffusers' add_adapter path), forward and one AdamW step of the adapter alone."""
    from diffusers import DDPMScheduler, UNet2DConditionModel
    from peft import LoraConfig
    torch.manual_seed(seed)  # PEFT draws lora_A (kaiming-uniform) from the global generator
    unet = UNet2DConditionModel.from_pretrained(os.path.join(FIXTURES, "tiny-sd", "unet"))
    unet.requires_grad_(False)
    config = LoraConfig(r=rank, lora_alpha=alpha, init_lora_weights=True, target_modules=targets, lora_dropout=0.0)
    unet.add_adapter(config)
    randomise_lora_b(unet, seed + 1)
    unet = unet.double().train()
    lora = {n: p for n, p in unet.named_parameters() if "lora_" in n}
    assert lora and all(p.requires_grad for p in lora.values())
    assert not any(p.requires_grad for n, p in unet.named_parameters() if "lora_" not in n)
    settings = dict(target_modules=targets, r=rank, lora_alpha=alpha, init_lora_weights=True, lora_dropout=0.0,
                    lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=1e-2, prediction_type="epsilon",
                    lora_modules=sorted({peft_key(n).rsplit(".lora_", 1)[0] for n in lora}))
    out = {"lora." + peft_key(n): p.detach().clone() for n, p in lora.items()}
    g = gen(seed + 2)
    b = batch(g)
    t = torch.tensor([50, 600])
    with torch.no_grad():
        out["forward.out"] = unet(b["latents"], t, b["encoder_hidden_states"]).sample
    sched = DDPMScheduler.from_config(scheduler_config())
    opt = torch.optim.AdamW(lora.values(), lr=settings["lr"], betas=tuple(settings["betas"]), eps=settings["eps"],
                            weight_decay=settings["weight_decay"])
    noisy = sched.add_noise(b["latents"], b["noise_base"], t)
    pred = unet(noisy, t, b["encoder_hidden_states"]).sample
    loss = F.mse_loss(pred, b["noise_base"], reduction="mean")
    loss.backward()
    for n, p in lora.items():
        out["grad." + peft_key(n)] = p.grad.detach().clone()
    opt.step()
    for n, p in lora.items():
        out["updated." + peft_key(n)] = p.detach().clone()
    out.update({**b, "timesteps": t, "loss": loss, "model_pred": pred})
    save(out, name, settings)


def lora_text_encoder(name, seed):
    """PEFT LoRA on CLIP's q/k/v/out_proj: the text encoder's last hidden state."""
    from peft import LoraConfig, inject_adapter_in_model
    from transformers import CLIPTextModel
    torch.manual_seed(seed)
    te = CLIPTextModel.from_pretrained(os.path.join(FIXTURES, "tiny-sd", "text_encoder"))
    targets = ["q_proj", "k_proj", "v_proj", "out_proj"]
    te = inject_adapter_in_model(LoraConfig(r=4, lora_alpha=8, target_modules=targets, lora_dropout=0.0), te)
    randomise_lora_b(te, seed + 1)
    te = te.double().eval()
    ids = torch.tensor([[1512, 320, 1125, 539, 1513] + [1513] * 72, [1512, 100, 200, 300, 1513] + [1513] * 72])
    with torch.no_grad():
        hidden = te(input_ids=ids).last_hidden_state
    out = {"input_ids": ids, "last_hidden_state": hidden}
    for n, p in te.named_parameters():
        if "lora_" in n:
            key = peft_key(n)
            out["lora." + (key if key.startswith("text_model.") else "text_model." + key)] = p.detach().clone()
    save(out, name, dict(target_modules=targets, r=4, lora_alpha=8, lora_dropout=0.0,
                         keys="relative to the text encoder, with the text_model. prefix of SD checkpoints"))


def prior_preservation(name, seed):
    """train_dreambooth.py's loss on a 2 + 2 batch: instance half, class half, prior_loss_weight."""
    from diffusers import DDPMScheduler
    settings = dict(prior_loss_weight=0.75, prediction_type="epsilon", instance="first half", class_="second half")
    sched = DDPMScheduler.from_config(scheduler_config())
    unet = load_unet()
    params = dict(unet.named_parameters())
    b = batch(gen(seed), size=4)
    t = torch.tensor([10, 400, 700, 990])
    noisy = sched.add_noise(b["latents"], b["noise_base"], t)
    pred = unet(noisy, t, b["encoder_hidden_states"]).sample
    pred_instance, pred_prior = torch.chunk(pred, 2, dim=0)
    target_instance, target_prior = torch.chunk(b["noise_base"], 2, dim=0)
    prior_loss = F.mse_loss(pred_prior, target_prior, reduction="mean")
    instance_loss = F.mse_loss(pred_instance, target_instance, reduction="mean")
    loss = instance_loss + settings["prior_loss_weight"] * prior_loss
    loss.backward()
    out = {**b, "timesteps": t, "model_pred": pred, "loss": loss, "instance_loss": instance_loss,
           "prior_loss": prior_loss}
    for k in PARAMS:
        out["grad." + k] = params[k].grad
    save(out, name, settings)


def grad_scaler(name, seed):
    """torch.amp.GradScaler around AdamW when one step's gradients overflow: skipped, scale backed off, then grown."""
    settings = dict(init_scale=65536.0, growth_factor=2.0, backoff_factor=0.5, growth_interval=2, lr=0.1,
                    betas=[0.9, 0.999], eps=1e-8, weight_decay=1e-2, steps=6, overflow_step=2,
                    loss="sum(param * grads[k]) scaled by the scaler; grads[k] holds inf at the overflow step")
    g = gen(seed)
    p = torch.nn.Parameter(torch.randn(16, generator=g, dtype=torch.float32))
    out = {"param.initial": p.detach().clone()}
    opt = torch.optim.AdamW([p], lr=settings["lr"], betas=tuple(settings["betas"]), eps=settings["eps"],
                            weight_decay=settings["weight_decay"])
    scaler = torch.amp.GradScaler("cpu", init_scale=settings["init_scale"], growth_factor=settings["growth_factor"],
                                  backoff_factor=settings["backoff_factor"],
                                  growth_interval=settings["growth_interval"])
    for s in range(settings["steps"]):
        grads = torch.randn(16, generator=g, dtype=torch.float32)
        if s == settings["overflow_step"]:
            grads[3] = float("inf")
        out[f"step.{s}.grads"] = grads
        out[f"step.{s}.scale_before"] = torch.tensor(scaler.get_scale())
        scaler.scale((p * grads).sum()).backward()
        scaler.step(opt)
        scaler.update()
        opt.zero_grad()
        out[f"step.{s}.scale_after"] = torch.tensor(scaler.get_scale())
        out[f"step.{s}.param"] = p.detach().clone()
        out[f"step.{s}.optimizer_steps"] = torch.tensor(int(opt.state[p]["step"]) if p in opt.state else 0)
    save(out, name, settings)


def zero_terminal_snr(name):
    from diffusers import DDPMScheduler
    sched = DDPMScheduler.from_config(scheduler_config(rescale_betas_zero_snr=True))
    save({"betas": sched.betas, "alphas_cumprod": sched.alphas_cumprod}, name,
         dict(scheduler=scheduler_config(rescale_betas_zero_snr=True)))


def textual_inversion(name, seed):
    """textual_inversion.py's step: one added token row initialised from an existing token, only it changes."""
    from diffusers import DDPMScheduler
    from transformers import CLIPTextModel
    settings = dict(initializer_token_id=320, lr=5e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=1e-2,
                    prediction_type="epsilon", placeholder_token_id="vocab_size (the first added id)")
    te = CLIPTextModel.from_pretrained(os.path.join(FIXTURES, "tiny-sd", "text_encoder"))
    vocab = te.config.vocab_size
    te.resize_token_embeddings(vocab + 1)
    emb = te.get_input_embeddings().weight
    with torch.no_grad():
        emb[vocab] = emb[settings["initializer_token_id"]].clone()
    te = te.double().train()
    unet = load_unet()
    unet.requires_grad_(False)
    te.requires_grad_(False)
    te.get_input_embeddings().weight.requires_grad_(True)
    table = te.get_input_embeddings().weight
    original = table.detach().clone()
    opt = torch.optim.AdamW([table], lr=settings["lr"], betas=tuple(settings["betas"]), eps=settings["eps"],
                            weight_decay=settings["weight_decay"])
    g = gen(seed)
    ids = torch.tensor([[1512, 320, 1125, 539, vocab, 1513] + [1513] * 71,
                        [1512, vocab, 640, 1513] + [1513] * 73])
    latents, noise = randn(g, 2, 4, 8, 8), randn(g, 2, 4, 8, 8)
    t = torch.tensor([300, 800])
    sched = DDPMScheduler.from_config(scheduler_config())
    ehs = te(input_ids=ids)[0]
    pred = unet(sched.add_noise(latents, noise, t), t, ehs).sample
    loss = F.mse_loss(pred, noise, reduction="mean")
    loss.backward()
    grad_row = table.grad[vocab].detach().clone()
    opt.step()
    with torch.no_grad():
        keep = torch.ones(vocab + 1, dtype=torch.bool)
        keep[vocab] = False
        table[keep] = original[keep]
    save({"input_ids": ids, "latents": latents, "noise": noise, "timesteps": t, "encoder_hidden_states": ehs,
          "loss": loss, "added.initial": original[vocab:], "added.grad": grad_row.reshape(1, -1),
          "added.updated": table[vocab:].detach().clone()}, name, settings)


def main():
    torch.use_deterministic_algorithms(True)
    parts = [
        ("full step epsilon", lambda: full_step("full_step_epsilon", "epsilon", [100, 700], 5.0, 0.1, False, 100)),
        ("full step v", lambda: full_step("full_step_v", "v_prediction", [999, 250], 5.0, 0.1, True, 101)),
        ("adamw cosine", lambda: adamw_cosine("adamw_cosine_5")),
        ("lora attention", lambda: lora_unet("lora_attention", ["to_q", "to_k", "to_v", "to_out.0"], 4, 8, 300)),
        ("lora all (locon)", lambda: lora_unet("lora_all", [
            "to_q", "to_k", "to_v", "to_out.0", "proj_in", "proj_out", "ff.net.0.proj", "ff.net.2", "conv1", "conv2",
            "conv_shortcut"], 4, 4, 310)),
        ("lora text encoder", lambda: lora_text_encoder("lora_text_encoder", 320)),
        ("prior preservation", lambda: prior_preservation("prior_preservation", 400)),
        ("grad scaler", lambda: grad_scaler("grad_scaler", 500)),
        ("zero terminal snr", lambda: zero_terminal_snr("zero_terminal_snr")),
        ("textual inversion", lambda: textual_inversion("textual_inversion", 600)),
    ]
    failed = []
    for label, part in parts:
        try:
            part()
        except Exception:
            failed.append(label)
            log(f"FAILED {label}:\n{traceback.format_exc()}")
    versions = {"python": sys.version.split()[0], "torch": torch.__version__}
    for module in ("diffusers", "peft", "transformers", "safetensors"):
        try:
            versions[module] = __import__(module).__version__
        except Exception as e:
            versions[module] = repr(e)
    os.makedirs(os.path.join(OUT, "train"), exist_ok=True)
    with open(os.path.join(OUT, "train", "versions.json"), "w") as f:
        json.dump({"versions": versions, "log": LOG}, f, indent=1)
        f.write("\n")
    print(json.dumps(versions))
    if failed:
        print("FAILED parts:", failed)
        sys.exit(1)


if __name__ == "__main__":
    main()
