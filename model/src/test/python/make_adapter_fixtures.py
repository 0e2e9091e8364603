"""Generates the LoRA / LoCon / textual inversion fixtures of model/src/test/resources/fixtures/{lora,embeddings}.

Runs on the GPU host (CPU only) with torch, transformers, peft and a source checkout of diffusers on PYTHONPATH, on
the committed tiny pipeline (fixtures/tiny-sd). See README.md beside this file for the command.

    python3 make_adapter_fixtures.py OUT_DIR KOHYA_DIR SDSPARK_DIR

OUT_DIR receives lora/ and embeddings/. KOHYA_DIR holds kohya-ss/sd-scripts' networks/lora.py and the library/ files
it imports (its LoRANetwork names and writes the kohya-layout files). SDSPARK_DIR holds the LoRA files sdspark's own
writer made (sdspark-peft.safetensors, sdspark-kohya.safetensors; SdsparkWrittenLora.java), which diffusers loads here.

References are float64 on the CPU (LoRAs loaded in float32, then the pipeline cast), stored as F32. Every part runs on
its own: a failure is logged and the other parts still write their files.
"""

import json
import math
import os
import shutil
import sys
import tempfile
import traceback

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

import diffusers
import peft
import transformers
from diffusers import StableDiffusionPipeline
from peft import LoraConfig
from peft.tuners.lora import LoraLayer
from peft.utils import get_peft_model_state_dict

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.environ.get("FIXTURES", os.path.join(HERE, "..", "resources", "fixtures"))
TINY = os.path.join(FIXTURES, "tiny-sd")
OUT = os.path.abspath(sys.argv[1])
KOHYA = os.path.abspath(sys.argv[2])
SDSPARK = os.path.abspath(sys.argv[3])
REF = os.environ.get("DIFFUSERS_SCRIPTS", os.path.join(os.getcwd(), ".ref", "diffusers", "scripts"))
LOG = []
REFERENCE = {}  # everything that goes into lora/reference.safetensors
REFERENCE_META = {}

UNET_TARGETS = ["to_q", "to_k", "to_v", "to_out.0", "proj_in", "proj_out", "ff.net.0.proj", "ff.net.2"]
TE_TARGETS = ["q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"]


def log(msg):
    print(msg, flush=True)
    LOG.append(str(msg))


def out_path(*parts):
    p = os.path.join(OUT, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def part(name, fn, *args):
    try:
        result = fn(*args)
        log(f"part {name}: ok")
        return result
    except Exception:
        log(f"part {name}: FAILED\n{traceback.format_exc()}")
        return None


def fresh():
    return StableDiffusionPipeline.from_pretrained(TINY, safety_checker=None, requires_safety_checker=False)


def gen(seed):
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------------------------------------------------------
# Fixed inputs (the committed io fixtures) and the outputs recorded for a pipeline with adapters.
# ---------------------------------------------------------------------------------------------------------------

UNET_IO = load_file(os.path.join(FIXTURES, "io", "unet.safetensors"))
TE_IO = load_file(os.path.join(FIXTURES, "io", "text_encoder.safetensors"))
REFERENCE["unet.sample"] = UNET_IO["sample"]
REFERENCE["unet.timestep"] = UNET_IO["timestep"]
REFERENCE["unet.encoder_hidden_states"] = UNET_IO["encoder_hidden_states"]
REFERENCE["text_encoder.input_ids"] = TE_IO["input_ids"]


def outputs(pipe, name, with_text=True):
    """UNet and text encoder outputs of pipe (adapters active at their set weights), float64."""
    pipe.to(torch.float64)
    with torch.no_grad():
        REFERENCE[f"{name}.unet"] = pipe.unet(UNET_IO["sample"].double(), UNET_IO["timestep"],
                                              UNET_IO["encoder_hidden_states"].double()).sample
        if with_text:
            REFERENCE[f"{name}.text_encoder"] = pipe.text_encoder(TE_IO["input_ids"])[0]
    base = REFERENCE.get("base.unet")
    if base is not None and name != "base":
        rel = (REFERENCE[f"{name}.unet"] - base).norm() / base.norm()
        log(f"{name}: unet output moved {rel:.4f} (relative) from the model without adapters")


def lora_layers(model, adapter):
    return {n: m for n, m in model.named_modules() if isinstance(m, LoraLayer) and adapter in m.lora_A}


def describe_adapter(model, adapter, what):
    layers = lora_layers(model, adapter)
    ranks = sorted({(m.r[adapter], float(m.lora_alpha[adapter])) for m in layers.values()})
    log(f"{what}: {len(layers)} LoRA layers for adapter '{adapter}', (rank, alpha) {ranks}")
    return layers


def load(pipe, folder, file, adapter, **kw):
    pipe.load_lora_weights(folder, weight_name=file, adapter_name=adapter, **kw)
    return describe_adapter(pipe.unet, adapter, f"{file} unet"), describe_adapter(pipe.text_encoder, adapter, f"{file} te")


def copy_in(src, name):
    shutil.copy(src, out_path("lora", name))


def metadata_of(config):
    """LoraConfig.to_dict() as diffusers' training scripts pass it, made JSON-safe."""
    d = config.to_dict()
    try:
        json.dumps(d, default=list)
        return d
    except TypeError:
        log("LoraConfig.to_dict() is not JSON: keeping r, lora_alpha, patterns and targets")
        return {k: d[k] for k in ("r", "lora_alpha", "rank_pattern", "alpha_pattern", "target_modules", "use_rslora")}


# ---------------------------------------------------------------------------------------------------------------
# LoRAs made with peft and saved by diffusers; the same LoRA in kohya's layout, written by kohya's LoRANetwork.
# ---------------------------------------------------------------------------------------------------------------

def randomise_lora(model, adapter, seed):
    g = gen(seed)
    with torch.no_grad():
        for name, m in sorted(lora_layers(model, adapter).items()):
            a = m.lora_A[adapter].weight
            b = m.lora_B[adapter].weight
            fan_in = a[0].numel()
            a.copy_((torch.rand(a.shape, generator=g) * 2 - 1) / math.sqrt(fan_in))
            b.copy_(torch.randn(b.shape, generator=g) * 0.2 / math.sqrt(m.r[adapter]))


def make_peft():
    pipe = fresh()
    pipe.unet.add_adapter(LoraConfig(r=4, lora_alpha=8, target_modules=UNET_TARGETS,
                                     rank_pattern={"proj_in": 2}, alpha_pattern={"ff.net.2": 2}))
    pipe.text_encoder.add_adapter(LoraConfig(r=2, lora_alpha=3, target_modules=TE_TARGETS))
    randomise_lora(pipe.unet, "default", 100)
    randomise_lora(pipe.text_encoder, "default", 101)
    unet_sd = get_peft_model_state_dict(pipe.unet)
    te_sd = get_peft_model_state_dict(pipe.text_encoder)
    log(f"peft unet keys e.g. {sorted(unet_sd)[:2]}; text encoder keys e.g. {sorted(te_sd)[:2]}")
    folder = tempfile.mkdtemp()
    StableDiffusionPipeline.save_lora_weights(
        folder, unet_lora_layers=unet_sd, text_encoder_lora_layers=te_sd, weight_name="peft.safetensors",
        unet_lora_adapter_metadata=metadata_of(pipe.unet.peft_config["default"]),
        text_encoder_lora_adapter_metadata=metadata_of(pipe.text_encoder.peft_config["default"]))
    copy_in(os.path.join(folder, "peft.safetensors"), "peft.safetensors")
    alphas = {}
    for model, prefix in ((pipe.unet, "lora_unet_"), (pipe.text_encoder, "lora_te_")):
        for name, m in lora_layers(model, "default").items():
            alphas[prefix + name.replace(".", "_")] = (m.r["default"], float(m.lora_alpha["default"]), name, model is pipe.unet)
    return folder, unet_sd, te_sd, alphas


def peft_reference(folder):
    pipe = fresh()
    load(pipe, folder, "peft.safetensors", "peft")
    pipe.set_adapters(["peft"], adapter_weights=[0.7])
    outputs(pipe, "peft")


def make_kohya(unet_sd, te_sd, alphas):
    sys.path.insert(0, KOHYA)
    from networks.lora import LoRANetwork, LoRAModule
    pipe = fresh()
    dims = {name: r for name, (r, _, _, _) in alphas.items()}
    net = LoRANetwork(pipe.text_encoder, pipe.unet, modules_dim=dims,
                      modules_alpha={name: a for name, (_, a, _, _) in alphas.items()}, module_class=LoRAModule)
    made = {lora.lora_name for lora in net.text_encoder_loras + net.unet_loras}
    assert made == set(dims), f"kohya named other modules: only kohya {sorted(made - set(dims))[:5]}, " \
                              f"only peft {sorted(set(dims) - made)[:5]}"
    with torch.no_grad():
        for lora in net.text_encoder_loras + net.unet_loras:
            _, _, path, is_unet = alphas[lora.lora_name]
            sd = unet_sd if is_unet else te_sd
            lora.lora_down.weight.copy_(sd[path + ".lora_A.weight"].reshape(lora.lora_down.weight.shape))
            lora.lora_up.weight.copy_(sd[path + ".lora_B.weight"].reshape(lora.lora_up.weight.shape))
    net.apply_to(pipe.text_encoder, pipe.unet, True, True)
    state = {k: v.detach().contiguous() for k, v in net.state_dict().items()}
    folder = tempfile.mkdtemp()
    save_file(state, os.path.join(folder, "kohya.safetensors"),
              metadata={"ss_network_module": "networks.lora", "ss_network_dim": "4", "ss_network_alpha": "8"})
    copy_in(os.path.join(folder, "kohya.safetensors"), "kohya.safetensors")
    log(f"kohya file: {len(state)} tensors, e.g. {sorted(state)[:3]}")
    return folder, state


def kohya_reference(folder):
    pipe = fresh()
    load(pipe, folder, "kohya.safetensors", "kohya")
    pipe.set_adapters(["kohya"], adapter_weights=[0.7])
    outputs(pipe, "kohya")


# ---------------------------------------------------------------------------------------------------------------
# The same LoRA with the UNet named by its original LDM modules (as LoRAs made on CompVis/A1111 checkpoints are),
# renamed with diffusers' own diffusers -> original conversion table.
# ---------------------------------------------------------------------------------------------------------------

def ldm_names():
    sys.path.insert(0, REF)
    import convert_diffusers_to_original_stable_diffusion as conversion
    unet_keys = list(load_file(os.path.join(TINY, "unet", "diffusion_pytorch_model.safetensors")).keys())
    renamed = conversion.convert_unet_state_dict({k: i for i, k in enumerate(unet_keys)})
    by_index = {v: k for k, v in renamed.items()}
    names = {}
    for i, key in enumerate(unet_keys):
        if key.endswith(".weight"):
            names["lora_unet_" + key[:-len(".weight")].replace(".", "_")] = \
                "lora_unet_" + by_index[i][:-len(".weight")].replace(".", "_")
    return names


def rename_unet(state, names):
    out = {}
    for k, v in state.items():
        module, rest = k.split(".", 1)
        out[names.get(module, module) + "." + rest] = v
    return out


def make_ldm(state, names):
    ldm = rename_unet(state, names)
    folder = tempfile.mkdtemp()
    save_file(ldm, os.path.join(folder, "ldm.safetensors"))
    copy_in(os.path.join(folder, "ldm.safetensors"), "kohya-ldm.safetensors")
    log(f"ldm-named file e.g. {sorted(k for k in ldm if 'input_blocks' in k)[:2]}")
    pipe = fresh()
    load(pipe, folder, "ldm.safetensors", "ldm", unet_config=pipe.unet.config)
    pipe.set_adapters(["ldm"], adapter_weights=[0.7])
    outputs(pipe, "ldm")


# ---------------------------------------------------------------------------------------------------------------
# A LoCon: kohya's LoRANetwork with conv_dim (3x3 convs of resnets, down/upsamplers) plus linear layers, UNet only.
# ---------------------------------------------------------------------------------------------------------------

def make_locon(names):
    sys.path.insert(0, KOHYA)
    from networks.lora import LoRANetwork
    torch.manual_seed(200)
    pipe = fresh()
    net = LoRANetwork(pipe.text_encoder, pipe.unet, lora_dim=2, alpha=1, conv_lora_dim=3, conv_alpha=1.5)
    g = gen(201)
    with torch.no_grad():
        for lora in net.unet_loras:
            lora.lora_up.weight.copy_(torch.randn(lora.lora_up.weight.shape, generator=g) * 0.2 / math.sqrt(lora.lora_dim))
    net.apply_to(pipe.text_encoder, pipe.unet, True, True)
    # diffusers' Downsample2D registers its conv as Conv2d_0 too, and named_modules() yields that name first; kohya's
    # own SD UNet (and so every kohya LoCon) names it conv.
    state = {k.replace("_downsamplers_0_Conv2d_0.", "_downsamplers_0_conv."): v.detach().contiguous()
             for k, v in net.state_dict().items() if k.startswith("lora_unet_")}
    kinds = sorted({tuple(v.shape[2:]) for k, v in state.items() if k.endswith("lora_down.weight")})
    log(f"locon: {sum(k.endswith('lora_down.weight') for k in state)} modules, down kernels {kinds}")
    folder = tempfile.mkdtemp()
    save_file(state, os.path.join(folder, "locon.safetensors"),
              metadata={"ss_network_module": "networks.lora", "ss_network_dim": "2", "ss_network_alpha": "1",
                        "ss_network_args": json.dumps({"conv_dim": "3", "conv_alpha": "1.5"})})
    copy_in(os.path.join(folder, "locon.safetensors"), "locon-kohya.safetensors")
    save_file(rename_unet(state, names), out_path("lora", "locon-ldm.safetensors"))

    pipe = fresh()
    unet_layers, _ = load(pipe, folder, "locon.safetensors", "locon")
    expected = sum(k.endswith("lora_down.weight") for k in state)
    if len(unet_layers) != expected:
        log(f"WARNING locon: diffusers made {len(unet_layers)} LoRA layers of {expected} in the file")
    StableDiffusionPipeline.save_lora_weights(
        folder, unet_lora_layers=get_peft_model_state_dict(pipe.unet, adapter_name="locon"),
        weight_name="locon-peft.safetensors", unet_lora_adapter_metadata=metadata_of(pipe.unet.peft_config["locon"]))
    copy_in(os.path.join(folder, "locon-peft.safetensors"), "locon-peft.safetensors")
    pipe.set_adapters(["locon"], adapter_weights=[1.3])
    outputs(pipe, "locon", with_text=False)
    return folder


def combined_reference(peft_folder, locon_folder):
    pipe = fresh()
    load(pipe, peft_folder, "peft.safetensors", "peft")
    load(pipe, locon_folder, "locon.safetensors", "locon")
    pipe.set_adapters(["peft", "locon"], adapter_weights=[0.7, 1.3])
    outputs(pipe, "combined")


# ---------------------------------------------------------------------------------------------------------------
# The other direction: LoRAs written by sdspark, loaded by diffusers.
# ---------------------------------------------------------------------------------------------------------------

def transformers5_text_names(src, dst):
    """kohya names CLIP's layers lora_te_text_model_encoder_... (A1111, ComfyUI and kohya's files on transformers 4);
    transformers 5's CLIPTextModel has no text_model level, so diffusers on it finds no such layers. The copy diffusers
    loads here names them as that CLIPTextModel does."""
    with safe_open(src, "pt") as f:
        tensors = {k.replace("lora_te_text_model_", "lora_te_"): f.get_tensor(k) for k in f.keys()}
        metadata = dict(f.metadata() or {})
    save_file(tensors, dst, metadata=metadata)


def sdspark_reference(file, name):
    expected_unet = expected_te = 0
    with safe_open(os.path.join(SDSPARK, file), "pt") as f:
        for k in f.keys():
            if k.endswith(("lora_A.weight", "lora_down.weight")):
                if k.startswith(("unet.", "lora_unet_")):
                    expected_unet += 1
                else:
                    expected_te += 1
    folder = SDSPARK
    if name == "sdspark_kohya":
        folder = tempfile.mkdtemp()
        transformers5_text_names(os.path.join(SDSPARK, file), os.path.join(folder, file))
    pipe = fresh()
    unet_layers, te_layers = load(pipe, folder, file, name)
    REFERENCE_META[f"{name}.layers"] = {"unet": [len(unet_layers), expected_unet], "text_encoder": [len(te_layers), expected_te]}
    if len(unet_layers) != expected_unet or len(te_layers) != expected_te:
        log(f"WARNING {file}: diffusers made {len(unet_layers)}/{len(te_layers)} LoRA layers, the file has "
            f"{expected_unet}/{expected_te}")
    pipe.set_adapters([name], adapter_weights=[0.9])
    outputs(pipe, name)


# ---------------------------------------------------------------------------------------------------------------
# Textual inversion: a multi-vector diffusers embedding and an A1111 (emb_params) one, loaded by
# load_textual_inversion; ids and text encoder outputs of prompts using them.
# ---------------------------------------------------------------------------------------------------------------

TI_PROMPTS = [
    "a photo of <cat-toy> on a table",
    "sdsk-style painting of a <cat-toy>, sdsk-style!",
    "a<cat-toy>b and a plain dog",
    "A PHOTO OF <CAT-TOY> IN SDSK-STYLE",
    "<cat-toy><cat-toy>",
]


def make_embeddings():
    g = gen(300)
    folder = out_path("embeddings", "x").rsplit(os.sep, 1)[0]
    cat_toy = torch.randn(2, 32, generator=g) * 0.5
    style = torch.randn(3, 32, generator=g) * 0.5
    # what diffusers' textual_inversion.py writes, and what kohya's trainer writes (A1111 reads it)
    save_file({"<cat-toy>": cat_toy}, os.path.join(folder, "learned_embeds.safetensors"), metadata={"format": "pt"})
    save_file({"emb_params": style}, os.path.join(folder, "sdsk-style.safetensors"))

    pipe = fresh()
    pipe.load_textual_inversion(folder, weight_name="learned_embeds.safetensors")
    pipe.load_textual_inversion(folder, weight_name="sdsk-style.safetensors", token="sdsk-style")
    table = pipe.text_encoder.get_input_embeddings().weight
    assert torch.equal(table[1514:1516], cat_toy) and torch.equal(table[1516:1519], style)
    ti_reference(pipe, TI_PROMPTS, folder, "", ["learned_embeds.safetensors", "sdsk-style.safetensors (token sdsk-style)"])


SDSPARK_TI_PROMPTS = ["a <sdspark-tok> photo in sdspark-style", "sdspark-style, <sdspark-tok>!"]


def sdspark_embeddings():
    pipe = fresh()
    pipe.load_textual_inversion(SDSPARK, weight_name="sdspark-learned_embeds.safetensors")
    # A1111 takes the token from the file name; diffusers needs it given for an emb_params file
    pipe.load_textual_inversion(SDSPARK, weight_name="sdspark-style.safetensors", token="sdspark-style")
    ti_reference(pipe, SDSPARK_TI_PROMPTS, out_path("embeddings", "x").rsplit(os.sep, 1)[0], "sdspark_",
                 ["sdspark-learned_embeds.safetensors", "sdspark-style.safetensors (token sdspark-style)"])


def ti_reference(pipe, prompts, folder, prefix, loaded):
    tok = pipe.tokenizer
    log(f"tokenizer after loading: {len(tok)} tokens, added {tok.added_tokens_encoder}")
    te = pipe.text_encoder.double()
    cases = []
    tensors = {}
    for i, prompt in enumerate(prompts):
        converted = pipe.maybe_convert_prompt(prompt, tok)
        ids = tok(converted, padding="max_length", max_length=77, truncation=True)["input_ids"]
        ids_t = torch.tensor([ids])
        with torch.no_grad():
            hidden = te(ids_t)[0]
            embeds, _ = pipe.encode_prompt(prompt, "cpu", 1, False)
        assert torch.allclose(embeds, hidden), "encode_prompt differs from the text encoder on the converted prompt"
        tensors[f"case.{i}.input_ids"] = ids_t
        tensors[f"case.{i}.last_hidden_state"] = hidden
        cases.append({"prompt": prompt, "converted": converted,
                      "tokens": tok.convert_ids_to_tokens(ids)[:ids.index(tok.eos_token_id) + 1]})
        log(f"TI {prompt!r} -> {converted!r}")
    save_file({k: (v.float() if v.is_floating_point() else v).contiguous() for k, v in tensors.items()},
              os.path.join(folder, prefix + "reference.safetensors"), metadata={"prompts": json.dumps(prompts)})
    with open(os.path.join(folder, prefix + "cases.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": cases, "loaded": loaded,
                   "added_tokens": {k: v for k, v in tok.added_tokens_encoder.items() if v >= 1514}}, f, indent=1)
        f.write("\n")


def main():
    torch.use_deterministic_algorithms(True)
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    base = fresh()
    outputs(base, "base")
    made = part("peft lora", make_peft)
    if made:
        peft_folder, unet_sd, te_sd, alphas = made
        part("peft reference", peft_reference, peft_folder)
        kohya = part("kohya lora (kohya's LoRANetwork)", make_kohya, unet_sd, te_sd, alphas)
        if kohya:
            part("kohya reference", kohya_reference, kohya[0])
            names = part("ldm names (diffusers' conversion table)", ldm_names)
            if names:
                part("ldm-named kohya lora", make_ldm, kohya[1], names)
                locon_folder = part("locon", make_locon, names)
                if locon_folder:
                    part("peft + locon together", combined_reference, peft_folder, locon_folder)
    for file, name in (("sdspark-peft.safetensors", "sdspark_peft"), ("sdspark-kohya.safetensors", "sdspark_kohya")):
        part(f"sdspark-written {file}", sdspark_reference, file, name)
    part("textual inversion", make_embeddings)
    part("sdspark-written textual inversion", sdspark_embeddings)
    for a, b in (("peft", "kohya"), ("peft", "ldm"), ("sdspark_peft", "sdspark_kohya")):
        for what in ("unet", "text_encoder"):
            x, y = REFERENCE.get(f"{a}.{what}"), REFERENCE.get(f"{b}.{what}")
            if x is not None and y is not None:
                log(f"{a} vs {b} {what}: max abs difference {(x - y).abs().max():.3e}")
    save_file({k: (v.float() if v.is_floating_point() else v.long()).contiguous() for k, v in REFERENCE.items()},
              out_path("lora", "reference.safetensors"),
              metadata={"scales": json.dumps({"peft": 0.7, "kohya": 0.7, "ldm": 0.7, "locon": 1.3,
                                              "combined": {"peft": 0.7, "locon": 1.3}, "sdspark_peft": 0.9,
                                              "sdspark_kohya": 0.9}),
                        "layers": json.dumps(REFERENCE_META)})
    versions = {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__,
                "diffusers": diffusers.__version__, "peft": peft.__version__,
                "safetensors": __import__("safetensors").__version__,
                "kohya": open(os.path.join(KOHYA, "VERSION")).read().strip() if os.path.exists(os.path.join(KOHYA, "VERSION")) else "?"}
    with open(out_path("lora", "versions.json"), "w", encoding="utf-8") as f:
        json.dump({"versions": versions, "log": LOG}, f, indent=1)
        f.write("\n")
    print(json.dumps(versions))


if __name__ == "__main__":
    main()
