"""Reads an event file written by sdspark's TensorBoardWriter with the tensorboard package itself.

Checked on the GPU host (tensorboard 2.21.0) against a file of 50 steps of `loss` = 1/step and
`lr/unet`, plus a 64x32 `validation/grid` image whose pixel (x, y) is (4x, 8y, 128), written by:

    try (TensorBoardWriter w = TensorBoardWriter.in(Path.of(dir))) {
        for (int step = 1; step <= 50; step++) w.scalars(step, Map.of("loss", 1.0 / step, "lr/unet", 1e-4 * step / 50));
        w.image(50, "validation/grid", grid);
    }

Result: tags {images: [validation/grid], scalars: [loss, lr/unet]}, 50 loss values from (1, 1.0) to
(50, 0.02), the image 64x32 with pixel (10, 3) = (40, 24, 128).

    python3 read_tensorboard_events.py LOGDIR
"""
import io
import json
import sys

from tensorboard.backend.event_processing import event_accumulator


def main(logdir):
    acc = event_accumulator.EventAccumulator(logdir, size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    loss = acc.Scalars("loss")
    image = acc.Images("validation/grid")[0]
    out = dict(tags={k: v for k, v in acc.Tags().items() if v}, loss_n=len(loss),
               loss_first=(loss[0].step, loss[0].value), loss_last=(loss[-1].step, loss[-1].value),
               image=(image.step, image.width, image.height))
    from PIL import Image
    out["pixel_10_3"] = Image.open(io.BytesIO(image.encoded_image_string)).convert("RGB").getpixel((10, 3))
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
