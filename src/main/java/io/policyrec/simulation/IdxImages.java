package io.policyrec.simulation;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Images and labels in the IDX format of MNIST and Fashion-MNIST (gzipped or not), pixels scaled to [0, 1]. */
public record IdxImages(float[][] images, int[] labels) {

    public static IdxImages read(Path images, Path labels) throws IOException {
        try (InputStream i = Files.newInputStream(images); InputStream l = Files.newInputStream(labels)) {
            return read(i, images.toString().endsWith(".gz"), l, labels.toString().endsWith(".gz"));
        }
    }

    public static IdxImages read(InputStream images, boolean imagesGzipped, InputStream labels,
                                 boolean labelsGzipped) throws IOException {
        DataInputStream img = new DataInputStream(new BufferedInputStream(
                imagesGzipped ? new GZIPInputStream(images) : images, 1 << 16));
        DataInputStream lab = new DataInputStream(new BufferedInputStream(
                labelsGzipped ? new GZIPInputStream(labels) : labels, 1 << 16));
        if (img.readInt() != 0x00000803) {
            throw new IOException("not an IDX image file");
        }
        int count = img.readInt();
        int pixels = img.readInt() * img.readInt();
        if (lab.readInt() != 0x00000801) {
            throw new IOException("not an IDX label file");
        }
        if (lab.readInt() != count) {
            throw new IOException("images and labels differ in count");
        }
        float[][] x = new float[count][pixels];
        int[] y = new int[count];
        byte[] row = new byte[pixels];
        for (int n = 0; n < count; n++) {
            img.readFully(row);
            for (int p = 0; p < pixels; p++) {
                x[n][p] = (row[p] & 0xff) / 255f;
            }
            y[n] = lab.readUnsignedByte();
        }
        return new IdxImages(x, y);
    }
}
