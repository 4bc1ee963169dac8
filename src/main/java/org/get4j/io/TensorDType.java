package org.get4j.io;

/** Element types of host tensors, with byte sizes, torch storage class names and safetensors/npy codes. */
public enum TensorDType {
    FLOAT16(2, "HalfStorage"), BFLOAT16(2, "BFloat16Storage"), FLOAT32(4, "FloatStorage"),
    FLOAT64(8, "DoubleStorage"), INT64(8, "LongStorage"), INT32(4, "IntStorage"), INT16(2, "ShortStorage"),
    INT8(1, "CharStorage"), UINT8(1, "ByteStorage"), BOOL(1, "BoolStorage");

    private final int bytes;
    private final String storageClass;

    TensorDType(int bytes, String storageClass) {
        this.bytes = bytes;
        this.storageClass = storageClass;
    }

    public int bytes() {
        return bytes;
    }

    /** The torch storage class that holds this type, e.g. FloatStorage. */
    public String storageClass() {
        return storageClass;
    }

    public static TensorDType ofStorage(String name) {
        for (TensorDType t : values()) {
            if (t.storageClass.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
