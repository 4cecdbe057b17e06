package io.scorestream.trainer.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript module written as the archive that {@code torch.jit.save} writes and {@code
 * torch::jit::load} reads (PyTorch's serialization format, file version 3): a zip whose entries
 * share one folder, holding {@code version}, {@code code/__torch__.py} (the module's class in
 * TorchScript, compiled by libtorch when loaded), {@code data.pkl} (the module object: a pickle of
 * {@code __torch__.NAME} with its attributes) and {@code constants.pkl} (an empty tuple). It lets
 * the trainer call a fused ATen operator that DJL's API lacks (group norm) through DJL's
 * TorchScript support, with autograd, and with no Python anywhere. Only modules with no tensors and
 * only integer attributes are written.
 */
final class TorchScriptArchive {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private TorchScriptArchive() {}

  /**
   * The archive of one module.
   *
   * @param className the class's name (declared in {@code source} as {@code class NAME(Module):})
   * @param source the class in TorchScript, as {@code torch.jit.save} writes {@code
   *     code/__torch__.py}
   * @param attributes its integer attributes (declared in {@code source}), besides {@code training}
   */
  static byte[] module(String className, String source, Map<String, Long> attributes) {
    if (!NAME.matcher(className).matches()
        || !attributes.keySet().stream().allMatch(k -> NAME.matcher(k).matches())) {
      throw new IllegalArgumentException(
          "TorchScript names are identifiers: " + className + " " + attributes.keySet());
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      String folder = className.toLowerCase() + "/";
      stored(zip, folder + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
      stored(zip, folder + "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
      stored(zip, folder + "data.pkl", moduleObject(className, attributes));
      stored(zip, folder + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * Pickle (protocol 2) of {@code __torch__.NAME()} whose state is {@code {"training": True, k: v,
   * ...}}: GLOBAL, EMPTY_TUPLE, NEWOBJ, then the state dict built by MARK ... SETITEMS and applied
   * by BUILD.
   */
  private static byte[] moduleObject(String className, Map<String, Long> attributes) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80);
    p.write(2);
    p.write('c');
    p.writeBytes(("__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
    p.write(')');
    p.write(0x81);
    p.write('}');
    p.write('(');
    string(p, "training");
    p.write(0x88);
    for (Map.Entry<String, Long> a : attributes.entrySet()) {
      string(p, a.getKey());
      long v = a.getValue();
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "attribute " + a.getKey() + " does not fit 32 bits: " + v);
      }
      p.write('J');
      littleEndian(p, (int) v);
    }
    p.write('u');
    p.write('b');
    p.write('.');
    return p.toByteArray();
  }

  private static void string(ByteArrayOutputStream p, String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    p.write('X');
    littleEndian(p, utf8.length);
    p.writeBytes(utf8);
  }

  private static void littleEndian(ByteArrayOutputStream p, int v) {
    for (int i = 0; i < 4; i++) {
      p.write(v >>> (8 * i));
    }
  }

  private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setMethod(ZipEntry.STORED); // the reader maps records as they lie; no inflating needed
    e.setSize(data.length);
    e.setCompressedSize(data.length);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(data);
    zip.closeEntry();
  }
}
