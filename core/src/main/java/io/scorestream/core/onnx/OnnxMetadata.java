package io.scorestream.core.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.scorestream.core.model.ModelFormatException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and adds to an ONNX file's {@code metadata_props} without loading it into a runtime. */
public final class OnnxMetadata {
  private OnnxMetadata() {}

  /** The metadata key/value pairs of a serialised ONNX model. */
  public static Map<String, String> read(byte[] onnx) {
    try {
      Map<String, String> props = new LinkedHashMap<>();
      for (StringStringEntryProto e : ModelProto.parseFrom(onnx).getMetadataPropsList()) {
        props.put(e.getKey(), e.getValue());
      }
      return props;
    } catch (InvalidProtocolBufferException e) {
      throw new ModelFormatException("not an ONNX model: " + e.getMessage(), e);
    }
  }

  /** {@code onnx} with {@code props} added to its metadata, replacing the values of keys it has. */
  public static byte[] with(byte[] onnx, Map<String, String> props) {
    try {
      ModelProto model = ModelProto.parseFrom(onnx);
      Map<String, String> all = read(onnx);
      all.putAll(props);
      ModelProto.Builder b = model.toBuilder().clearMetadataProps();
      all.forEach(
          (k, v) -> b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
      return b.build().toByteArray();
    } catch (InvalidProtocolBufferException e) {
      throw new ModelFormatException("not an ONNX model: " + e.getMessage(), e);
    }
  }
}
