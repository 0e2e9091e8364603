"""BLIP captioning parity fixtures, made by transformers from a tiny random-initialised BlipForConditionalGeneration.

    python3 make_blip_fixtures.py OUT_DIR

Writes OUT_DIR/blip/ (see model/src/test/resources/fixtures/README.md, section "blip/"):
  tiny-blip/            BlipForConditionalGeneration.save_pretrained + BlipProcessor.save_pretrained
  images/*.png          the test images (odd sizes, lossless, so decoding is exact in any language)
  processor.safetensors resized uint8 images (PIL bicubic) at the model size and at 384, pixel values (model size)
  vision.safetensors    vision encoder outputs (float64 on the CPU, stored F32)
  decoder.safetensors   decoder logits for given ids, padding and an attention mask (float64, stored F32)
  generate.json         generated ids and decoded captions per case (greedy, beam, prefix, padding, penalties)
  tokenizer.json        tokenizer cases: text -> ids, tokens; ids -> decoded text
  versions.json         versions and the log of this run

Generation runs the fp32 model, as the Java side does; each case is also run in float64 and the file says whether
the two agree (a disagreement would mean a near-tie that no fp32 implementation could be held to).
No network, no GPU (CUDA_VISIBLE_DEVICES= is fine).
"""

import json
import os
import sys
import traceback

import numpy as np
import PIL
import torch
import transformers
from PIL import Image
from safetensors.torch import save_file
from transformers import BertTokenizer, BlipConfig, BlipForConditionalGeneration, BlipProcessor

try:
    from transformers import BlipImageProcessorPil as PilProcessor
except ImportError:  # transformers releases before the backend split: the slow processor is the PIL one
    from transformers import BlipImageProcessor as PilProcessor

OUT = os.path.join(os.path.abspath(sys.argv[1]), "blip")
MODEL_DIR = os.path.join(OUT, "tiny-blip")
LOG = []


def log(*parts):
    line = " ".join(str(p) for p in parts)
    print(line, flush=True)
    LOG.append(line)


def save(tensors, name):
    out = {k: (v.to(torch.float32) if v.is_floating_point() else v if v.dtype == torch.uint8 else v.to(torch.int64))
           .contiguous() for k, v in tensors.items()}
    save_file(out, os.path.join(OUT, name), metadata={
        "generator": "model/src/test/python/make_blip_fixtures.py", "transformers": transformers.__version__,
        "torch": torch.__version__, "dtype": "float64 on the CPU, stored as F32; images U8, ids I64"})
    log(name, {k: tuple(v.shape) for k, v in out.items()})


# A small WordPiece vocabulary: BERT's special tokens first (ids differ from BERT's 0/100/101/102/103, so nothing may
# hard-code them), punctuation, letters and digits with their ## forms, some caption words and pieces, a few
# non-ASCII characters. [DEC] (BLIP's decoder bos) and [ENC] are added tokens, as in BLIP.
WORDS = """a an the of photography picture photo image painting drawing view close up on in at with and near
dog dogs cat cats man woman people person group sitting standing walking running table street car cars tree trees
sky water beach field grass house room wall window red blue green white black yellow small large old young two three
is are there this that it its it's don't can't""".split()
PIECES = ["##s", "##ing", "##ed", "##er", "##ly", "##'", "##t", "##n", "##o"]
OTHER = ["é", "ü", "ß", "中", "国", "日", "本", "☃"]


def vocabulary():
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + list("abcdefghijklmnopqrstuvwxyz") + list("0123456789")
    vocab = specials + chars + ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    for w in WORDS + PIECES + OTHER:
        if w not in vocab:
            vocab.append(w)
    return vocab


def make_model():
    vocab = vocabulary()
    os.makedirs(MODEL_DIR, exist_ok=True)
    vocab_file = os.path.join(OUT, "vocab-source.txt")
    with open(vocab_file, "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    tokenizer = BertTokenizer(vocab=vocab_file, do_lower_case=True)
    tokenizer.add_special_tokens({"bos_token": "[DEC]", "additional_special_tokens": ["[ENC]"]})
    os.remove(vocab_file)
    dec = tokenizer.convert_tokens_to_ids("[DEC]")
    log("vocabulary", len(vocab), "tokens + [DEC] =", dec, "[ENC] =", tokenizer.convert_tokens_to_ids("[ENC]"))

    config = BlipConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                         num_attention_heads=4, max_position_embeddings=64, layer_norm_eps=1e-12,
                         bos_token_id=dec, pad_token_id=0, sep_token_id=3, eos_token_id=2),
        vision_config=dict(hidden_size=48, intermediate_size=53, num_hidden_layers=2, num_attention_heads=4,
                           image_size=32, patch_size=8, layer_norm_eps=1e-5))
    torch.manual_seed(0)
    model = BlipForConditionalGeneration(config).eval()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            n = torch.randn(p.shape, generator=g)
            if "LayerNorm.weight" in name or "layer_norm" in name and name.endswith("weight") or "layernorm.weight" in name:
                p.copy_(1 + 0.1 * n)
            elif p.dim() == 1:
                p.copy_(0.05 * n if not name.endswith("norm.bias") else 0.1 * n)
            elif "embedding" in name:
                p.copy_(0.5 * n)
            else:
                p.copy_(n / np.sqrt(p[0].numel()))
    model.save_pretrained(MODEL_DIR)
    image_processor = PilProcessor(size={"height": 32, "width": 32})
    BlipProcessor(image_processor, tokenizer).save_pretrained(MODEL_DIR)
    log("saved", sorted(os.listdir(MODEL_DIR)))
    # BlipProcessor.from_pretrained picks the torchvision backend when torchvision is installed; the references
    # are made with the PIL backend, which sdspark matches bit for bit (the difference is logged below).
    processor = BlipProcessor(PilProcessor.from_pretrained(MODEL_DIR), BertTokenizer.from_pretrained(MODEL_DIR))
    return BlipForConditionalGeneration.from_pretrained(MODEL_DIR).eval(), processor


def make_images():
    """Smooth colour fields with sharp edges and noise: bicubic over- and undershoot, so clipping is exercised."""
    rng = np.random.default_rng(7)
    sizes = [(37, 53), (301, 517), (20, 15), (384, 384), (1, 9), (700, 3)]
    os.makedirs(os.path.join(OUT, "images"), exist_ok=True)
    names = []
    for i, (h, w) in enumerate(sizes):
        y, x = np.mgrid[0:h, 0:w]
        img = np.stack([128 + 100 * np.sin(x / (3 + i) + c) * np.cos(y / (5 + i)) for c in range(3)], -1)
        img[(x // 7 + y // 5) % 3 == 0] = [250, 10, 240]
        img += rng.normal(0, 20, img.shape)
        name = f"img{i}_{w}x{h}.png"
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").save(os.path.join(OUT, "images", name))
        names.append(name)
    log("images", names)
    return [Image.open(os.path.join(OUT, "images", n)).convert("RGB") for n in names]


def processor_cases(processor, images):
    out = {}
    for i, img in enumerate(images):
        for size in (32, 384):
            resized = img.resize((size, size), resample=Image.BICUBIC)
            out[f"resized{size}_{i}"] = torch.from_numpy(np.array(resized))
        out[f"pixel_values_{i}"] = processor(images=img, return_tensors="pt")["pixel_values"][0]
    log("image processor", type(processor.image_processor).__name__, processor.image_processor.to_dict())
    default = BlipProcessor.from_pretrained(MODEL_DIR).image_processor
    for i, img in enumerate(images):
        out[f"pixel_values_default_{i}"] = default(images=img, return_tensors="pt")["pixel_values"][0]
    diffs = [float((out[f"pixel_values_default_{i}"] - out[f"pixel_values_{i}"]).abs().max()) for i in range(len(images))]
    log("BlipProcessor.from_pretrained's image processor:", type(default).__name__,
        "max |difference| to the PIL processor:", diffs)
    save(out, "processor.safetensors")


@torch.no_grad()
def vision_cases(model, processor, images):
    pixels = processor(images=images[:3], return_tensors="pt")["pixel_values"].double()
    vision = model.vision_model.double()
    out = vision(pixel_values=pixels, output_hidden_states=True)
    tensors = {"pixel_values": pixels, "last_hidden_state": out.last_hidden_state, "pooler_output": out.pooler_output}
    for i, h in enumerate(out.hidden_states):
        tensors[f"hidden_states_{i}"] = h
    save(tensors, "vision.safetensors")
    model.float()


@torch.no_grad()
def decoder_cases(model, processor, images):
    m = model.double()
    pixels = processor(images=images[:2], return_tensors="pt")["pixel_values"].double()
    embeds = m.vision_model(pixel_values=pixels).last_hidden_state
    enc = processor.tokenizer(["a photography of two dogs", "the cat"], padding=True, return_tensors="pt")
    ids = enc["input_ids"].clone()
    ids[:, 0] = m.config.text_config.bos_token_id
    mask = enc["attention_mask"]
    logits = m.text_decoder(input_ids=ids, attention_mask=mask, encoder_hidden_states=embeds).logits
    unmasked = m.text_decoder(input_ids=ids, encoder_hidden_states=embeds).logits
    save({"pixel_values": pixels, "image_embeds": embeds, "input_ids": ids, "attention_mask": mask,
          "logits": logits, "logits_unmasked": unmasked}, "decoder.safetensors")
    model.float()


GENERATE_CASES = [
    # name, images, prompts (None: unconditional), generate kwargs
    ("greedy", [0, 1, 2], None, dict(max_length=16)),
    ("greedy_prefix", [0, 1, 2], ["a photography of"] * 3, dict(max_length=16)),
    ("beam3", [0, 1, 2], None, dict(num_beams=3, max_length=16)),
    ("beam3_prefix", [0, 1, 2], ["a photography of"] * 3, dict(num_beams=3, max_length=16)),
    ("greedy_penalty_min", [0, 1, 2], None, dict(max_length=20, min_length=12, repetition_penalty=1.5)),
    ("beam4_penalty_min_lp", [0, 1, 2], None,
     dict(num_beams=4, max_length=20, min_length=10, repetition_penalty=1.3, length_penalty=0.6)),
    ("greedy_padded", [0, 1, 3], ["a photography of", "a dog", "the"], dict(max_new_tokens=12)),
    ("beam2_padded", [0, 1, 3], ["a photography of", "a dog", "the"], dict(num_beams=2, max_new_tokens=12)),
    ("greedy_single", [4], None, dict(max_new_tokens=30)),
    ("beam5_batch1", [5], ["close up of"], dict(num_beams=5, max_length=24, repetition_penalty=1.2)),
    ("greedy_default_length", [1], None, dict()),
]


@torch.no_grad()
def generate_cases(model, processor, images):
    cases = []
    for name, idx, prompts, kwargs in GENERATE_CASES:
        try:
            imgs = [images[i] for i in idx]
            inputs = processor(images=imgs, text=prompts, padding=prompts is not None, return_tensors="pt")
            prompt_ids = inputs["input_ids"].tolist() if prompts else None
            runs = {}
            for dtype in (torch.float32, torch.float64):
                m = model.to(dtype)
                # generate() overwrites the prompts' first token with [DEC] in place: give each run a copy.
                args = {k: v.to(dtype) if k == "pixel_values" else v.clone() for k, v in inputs.items()}
                runs[dtype] = m.generate(**args, **kwargs).tolist()
            model.float()
            ids = runs[torch.float32]
            case = {"name": name, "images": idx, "prompts": prompts, "kwargs": kwargs,
                    "prompt_ids": prompt_ids,
                    "prompt_mask": inputs["attention_mask"].tolist() if prompts else None,
                    "sequences": ids, "float64_agrees": ids == runs[torch.float64],
                    "captions": processor.batch_decode(ids, skip_special_tokens=True)}
            log("generate", name, case["sequences"], case["captions"], "float64 agrees:", case["float64_agrees"])
            cases.append(case)
        except Exception:
            log("generate", name, "FAILED", traceback.format_exc())
    with open(os.path.join(OUT, "generate.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)


TEXTS = [
    "a photography of", "A Photography Of", "two dogs sitting on the beach.", "it's a cat, isn't it?",
    "  leading and trailing spaces  ", "tabs\tand\nnewlines", "café Über straße", "中国 日本", "snowman ☃ and 😀 emoji",
    "dogs cats running walking", "unknownword zzzzqqq", "x" * 120, "[DEC] a dog [SEP] [ENC]", "a [dec] dog", "",
    "don't can't it's", "red,green;blue:white!black?", "\u00a0nbsp\u200bzero-width\u0007bell", "ＡＢＣ fullwidth",
    "e\u0301 combining accent", "1234 56.78 $9",
]
DECODE_IDS = "decode_ids"


def tokenizer_cases(processor):
    tok = processor.tokenizer
    cases = []
    for text in TEXTS:
        enc = tok(text)
        cases.append({"text": text, "ids": enc["input_ids"], "tokens": tok.convert_ids_to_tokens(enc["input_ids"]),
                      "decoded": tok.decode(enc["input_ids"], skip_special_tokens=True),
                      "decoded_with_special": tok.decode(enc["input_ids"], skip_special_tokens=False)})
    vocab = tok.get_vocab()
    id_lists = [[vocab[t] for t in ts] for ts in (
        ["[DEC]", "a", "dog", "##s", "on", "the", "beach", ".", "[SEP]", "[PAD]", "[PAD]"],
        ["it", "'", "s", "a", "cat", ",", "is", "##n", "'", "t", "it", "?"],
        ["##ing", "a", "##ly", "!", "d", "##o", "##n", "'", "t", "[UNK]", "[ENC]"],
        ["a", "'", "m", "b", "'", "s", "c", "'", "v", "##e", "red", "'", "r", "##e", "x", "'", "y"],
    )]
    decoded = [{"ids": ids, "skip_special": tok.decode(ids, skip_special_tokens=True),
                "keep_special": tok.decode(ids, skip_special_tokens=False)} for ids in id_lists]
    with open(os.path.join(OUT, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizer_class": type(tok).__name__, "encode": cases, DECODE_IDS: decoded}, f, indent=1,
                  ensure_ascii=False)
    log("tokenizer", type(tok).__name__, len(cases), "texts,", len(decoded), "id lists")


def main():
    os.makedirs(OUT, exist_ok=True)
    log("torch", torch.__version__, "transformers", transformers.__version__, "Pillow", PIL.__version__,
        "numpy", np.__version__)
    model, processor = make_model()
    images = make_images()
    for part in (processor_cases, vision_cases, decoder_cases, generate_cases):
        try:
            part(model, processor, images) if part is not processor_cases else part(processor, images)
        except Exception:
            log(part.__name__, "FAILED", traceback.format_exc())
    try:
        tokenizer_cases(processor)
    except Exception:
        log("tokenizer_cases FAILED", traceback.format_exc())
    with open(os.path.join(OUT, "versions.json"), "w", encoding="utf-8") as f:
        json.dump({"torch": torch.__version__, "transformers": transformers.__version__, "pillow": PIL.__version__,
                   "numpy": np.__version__, "log": LOG}, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
