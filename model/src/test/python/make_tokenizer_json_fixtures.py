"""A CLIP tokenizer folder as transformers 5 saves it (tokenizer.json, no vocab.json or merges.txt) and its ids.

    python3 make_tokenizer_json_fixtures.py FIXTURES_DIR OUT_DIR

FIXTURES_DIR is model/src/test/resources/fixtures (read: clip-vocab/*.gz, the full CLIP vocabulary, and the texts
of tokenizer_cases.json). Writes OUT_DIR/clip-tokenizer-json/ (CLIPTokenizer built from the vocabulary files,
then save_pretrained; tokenizer.json stored gzipped) and OUT_DIR/tokenizer_json_cases.json (the ids that
tokenizer, loaded back from that folder, gives for every text: SD 1 padding, and SD 2's pad token "!" set in
the folder's tokenizer_config.json). Needs only transformers; see README.md beside this file.
"""

import gzip
import json
import os
import shutil
import sys
import tempfile

import transformers
from transformers import CLIPTokenizer

FIXTURES = os.path.abspath(sys.argv[1])
OUT = os.path.abspath(sys.argv[2])
MAX_LEN = 77
FOLDER = "clip-tokenizer-json"


def ids_of(tok, text):
    return tok(text, padding="max_length", max_length=MAX_LEN, truncation=True)["input_ids"]


def vocabulary_files(work):
    folder = os.path.join(work, "vocab-files")
    os.makedirs(folder)
    for name in ("vocab.json", "merges.txt"):
        with gzip.open(os.path.join(FIXTURES, "clip-vocab", name + ".gz"), "rb") as src, \
                open(os.path.join(folder, name), "wb") as dst:
            shutil.copyfileobj(src, dst)
    return folder


def with_pad(saved, work, pad):
    """A copy of the saved folder whose tokenizer_config.json (and special_tokens_map.json, if any) sets pad."""
    folder = os.path.join(work, "pad-" + pad)
    shutil.copytree(saved, folder)
    for name in ("tokenizer_config.json", "special_tokens_map.json"):
        p = os.path.join(folder, name)
        if os.path.exists(p) or name == "tokenizer_config.json":
            config = json.load(open(p, encoding="utf-8")) if os.path.exists(p) else {}
            config["pad_token"] = pad
            with open(p, "w", encoding="utf-8") as f:
                json.dump(config, f, indent=2, ensure_ascii=False)
    return folder


def main():
    print("transformers", transformers.__version__, "tokenizers", __import__("tokenizers").__version__, flush=True)
    work = tempfile.mkdtemp(prefix="tokenizer-json-")
    vocab_dir = vocabulary_files(work)
    saved = os.path.join(work, "saved")
    CLIPTokenizer.from_pretrained(vocab_dir, model_max_length=MAX_LEN).save_pretrained(saved)
    files = sorted(os.listdir(saved))
    print("save_pretrained wrote", files, flush=True)
    assert "tokenizer.json" in files, files
    assert "vocab.json" not in files and "merges.txt" not in files, f"not a tokenizer.json-only folder: {files}"

    texts = [c["text"] for c in json.load(open(os.path.join(FIXTURES, "tokenizer_cases.json"), encoding="utf-8"))
             if c["vocab"] == "full"]
    cases = []
    for label, folder, pad in (("full-json", saved, None), ("full-json-sd2pad", with_pad(saved, work, "!"), "!")):
        tok = CLIPTokenizer.from_pretrained(folder)
        kw = {} if pad is None else {"pad_token": pad}
        from_vocab = CLIPTokenizer.from_pretrained(vocab_dir, model_max_length=MAX_LEN, **kw)
        assert tok.model_max_length == MAX_LEN, tok.model_max_length
        for text in texts:
            ids = ids_of(tok, text)
            assert len(ids) == MAX_LEN
            if ids != ids_of(from_vocab, text):
                print(f"[{label}] {text!r}: differs from the tokenizer built from vocab.json/merges.txt", flush=True)
            cases.append({"text": text, "vocab": label, "ids": ids, "tokens": tok.convert_ids_to_tokens(ids),
                          "tokenizer_class": type(tok).__name__, "pad_token": tok.pad_token})
        print(f"[{label}] {len(texts)} texts, pad {tok.pad_token!r} = {tok.pad_token_id}", flush=True)

    out = os.path.join(OUT, FOLDER)
    os.makedirs(out, exist_ok=True)
    for name in files:
        src = os.path.join(saved, name)
        if name == "tokenizer.json":
            with open(src, "rb") as s, gzip.GzipFile(os.path.join(out, name + ".gz"), "wb", mtime=0) as d:
                shutil.copyfileobj(s, d)
        else:
            shutil.copy(src, os.path.join(out, name))
    with open(os.path.join(OUT, "tokenizer_json_cases.json"), "w", encoding="utf-8") as f:  # one case per line
        f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n]\n")
    for root, _, names in sorted(os.walk(OUT)):
        for name in sorted(names):
            p = os.path.join(root, name)
            print(f"{os.path.getsize(p):>10}  {os.path.relpath(p, OUT)}", flush=True)


if __name__ == "__main__":
    main()
