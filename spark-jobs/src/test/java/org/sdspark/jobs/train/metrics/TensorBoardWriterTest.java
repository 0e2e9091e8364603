package org.sdspark.jobs.train.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardWriterTest {
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_250L), ZoneOffset.UTC);

    @Test
    void scalarsAndImagesReadBackAsTensorBoardEvents() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        BufferedImage grid = new BufferedImage(6, 4, BufferedImage.TYPE_INT_RGB);
        grid.setRGB(1, 2, Color.ORANGE.getRGB());
        try (TensorBoardWriter writer = new TensorBoardWriter(file, CLOCK)) {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("loss", 0.125);
            values.put("lr/unet", 1e-5);
            writer.scalars(1, values);
            writer.scalars(2, Map.of("loss", 0.0625));
            writer.image(2, "validation/grid", grid);
        }

        List<UnknownFieldSet> events = EventFileReader.events(file.toByteArray());
        assertThat(events).hasSize(4);
        UnknownFieldSet header = events.get(0);
        assertThat(string(header, 3)).isEqualTo("brain.Event:2");
        assertThat(Double.longBitsToDouble(header.getField(1).getFixed64List().get(0))).isEqualTo(1_700_000_000.25);

        UnknownFieldSet first = events.get(1);
        assertThat(first.getField(2).getVarintList()).containsExactly(1L);
        List<UnknownFieldSet> values = values(first);
        assertThat(values).extracting(v -> string(v, 1)).containsExactly("loss", "lr/unet");
        assertThat(Float.intBitsToFloat(values.get(1).getField(2).getFixed32List().get(0))).isEqualTo(1e-5f);

        UnknownFieldSet image = values(events.get(3)).get(0);
        assertThat(string(image, 1)).isEqualTo("validation/grid");
        UnknownFieldSet encoded = UnknownFieldSet.parseFrom(image.getField(4).getLengthDelimitedList().get(0));
        assertThat(encoded.getField(1).getVarintList()).containsExactly(4L);
        assertThat(encoded.getField(2).getVarintList()).containsExactly(6L);
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(encoded.getField(4).getLengthDelimitedList().get(0).toByteArray()));
        assertThat(png.getRGB(1, 2)).isEqualTo(Color.ORANGE.getRGB());
        assertThat(png.getRGB(0, 0)).isEqualTo(Color.BLACK.getRGB());
    }

    @Test
    void aFileInADirectoryIsNamedAsTensorFlowNamesIt(@TempDir Path dir) throws Exception {
        try (TensorBoardWriter writer = TensorBoardWriter.in(dir.resolve("logs"))) {
            writer.scalars(7, Map.of("loss", 1.5));
        }
        List<Path> files;
        try (var list = Files.list(dir.resolve("logs"))) {
            files = list.toList();
        }
        assertThat(files).singleElement().satisfies(p -> assertThat(p.getFileName().toString()).startsWith("events.out.tfevents."));
        assertThat(EventFileReader.events(Files.readAllBytes(files.get(0)))).hasSize(2);
    }

    private static List<UnknownFieldSet> values(UnknownFieldSet event) throws Exception {
        UnknownFieldSet summary = UnknownFieldSet.parseFrom(event.getField(5).getLengthDelimitedList().get(0));
        List<UnknownFieldSet> values = new java.util.ArrayList<>();
        for (ByteString v : summary.getField(1).getLengthDelimitedList()) values.add(UnknownFieldSet.parseFrom(v));
        return values;
    }

    private static String string(UnknownFieldSet message, int field) {
        return message.getField(field).getLengthDelimitedList().get(0).toStringUtf8();
    }
}
