package org.sdspark.model.lora;

/**
 * One Linear or Conv2d of a pipeline component, by its module path in diffusers/transformers
 * naming ({@code down_blocks.0.attentions.0.proj_in}; text encoder paths always under
 * {@code text_model.}, whichever way its checkpoint names them).
 */
public record ModuleRef(Component component, String path) {

    public ModuleRef {
        if (path.isEmpty() || path.startsWith(".") || path.endsWith(".")) {
            throw new IllegalArgumentException("'" + path + "' is not a module path");
        }
    }

    /** {@code unet.down_blocks.0.attentions.0.proj_in}: the module's key in a training parameter tree. */
    @Override
    public String toString() {
        return component.key() + "." + path;
    }
}
