package org.sdspark.model.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.sdspark.model.diffusers.ComponentFolder;
import org.sdspark.model.diffusers.DownBlock2D;
import org.sdspark.model.diffusers.MidBlock2D;
import org.sdspark.model.diffusers.ResnetOptions;
import org.sdspark.model.diffusers.SpatialAttention;
import org.sdspark.model.diffusers.TimestepEmbedding;
import org.sdspark.model.diffusers.Timesteps;
import org.sdspark.model.diffusers.Transformer2DModel;
import org.sdspark.model.diffusers.UpBlock2D;
import org.sdspark.model.nn.Activations;
import org.sdspark.model.nn.Conv2d;
import org.sdspark.model.nn.GroupNorm;
import org.sdspark.model.nn.StateDict;
import org.sdspark.model.nn.Weights;

/**
 * Stable Diffusion's denoiser, diffusers' UNet2DConditionModel: built from its config, every
 * module reading its weights under its diffusers module path (so checkpoint keys are lookups).
 * Owns its {@link StateDict}; close the model to free the weights.
 */
public final class UNet2DConditionModel implements AutoCloseable {
    private final UNetConfig config;
    private final StateDict weights;
    private final Conv2d convIn;
    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final Timesteps addTimeProj;
    private final TimestepEmbedding addEmbedding;
    private final List<DownBlock2D> downBlocks;
    private final MidBlock2D midBlock;
    private final List<UpBlock2D> upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private final UnaryOperator<NDArray> act;

    private UNet2DConditionModel(UNetConfig config, StateDict weights) {
        this.config = config;
        this.weights = weights;
        Weights w = weights.root();
        int blocks = config.blocks();
        List<Integer> channels = config.blockOutChannels();
        long timeDim = config.timeEmbedDim();
        act = Activations.byName(config.actFn());
        ResnetOptions resnet = new ResnetOptions(config.normNumGroups(), config.normEps(), act, 1.0);

        convIn = Conv2d.load(w.at("conv_in"), config.inChannels(), channels.get(0), 3, 1, 1);
        timeProj = new Timesteps(channels.get(0), config.flipSinToCos(), config.freqShift());
        timeEmbedding = TimestepEmbedding.load(w.at("time_embedding"), channels.get(0), timeDim, act);
        TextTimeConfig textTime = config.textTime();
        addTimeProj = textTime == null ? null
                : new Timesteps(textTime.additionTimeEmbedDim(), config.flipSinToCos(), config.freqShift());
        // diffusers builds add_embedding with TimestepEmbedding's default activation, not act_fn
        addEmbedding = textTime == null ? null : TimestepEmbedding.load(w.at("add_embedding"),
                textTime.projectionClassEmbeddingsInputDim(), timeDim, Activations.byName("silu"));

        List<DownBlock2D> down = new ArrayList<>();
        long out = channels.get(0);
        for (int i = 0; i < blocks; i++) {
            long in = out;
            out = channels.get(i);
            boolean crossAttn = config.downBlockTypes().get(i).equals(UNetConfig.CROSS_ATTN_DOWN_BLOCK);
            down.add(DownBlock2D.load(w.at("down_blocks", i), config.layersPerBlock().get(i), in, out, timeDim, resnet,
                    crossAttn ? transformers(i) : null, i < blocks - 1, config.downsamplePadding()));
        }
        downBlocks = List.copyOf(down);

        midBlock = MidBlock2D.load(w.at("mid_block"), channels.get(blocks - 1), timeDim,
                resnet.withOutputScaleFactor(config.midBlockScaleFactor()), transformers(blocks - 1));

        // The up path mirrors the down path: up block i pairs with down block (blocks - 1 - i).
        List<UpBlock2D> up = new ArrayList<>();
        out = channels.get(blocks - 1);
        for (int i = 0; i < blocks; i++) {
            int mirror = blocks - 1 - i;
            long prevOut = out;
            out = channels.get(mirror);
            long in = channels.get(Math.max(mirror - 1, 0));
            boolean crossAttn = config.upBlockTypes().get(i).equals(UNetConfig.CROSS_ATTN_UP_BLOCK);
            up.add(UpBlock2D.loadWithSkips(w.at("up_blocks", i), config.layersPerBlock().get(mirror) + 1, in, prevOut,
                    out, timeDim, resnet, crossAttn ? transformers(mirror) : null, i < blocks - 1));
        }
        upBlocks = List.copyOf(up);

        convNormOut = GroupNorm.load(w.at("conv_norm_out"), config.normNumGroups(), channels.get(0), config.normEps());
        convOut = Conv2d.load(w.at("conv_out"), channels.get(0), config.outChannels(), 3, 1, 1);
    }

    private SpatialAttention.Factory transformers(int block) {
        return Transformer2DModel.factory(config.attentionHeads().get(block), config.transformerLayersPerBlock().get(block),
                config.crossAttentionDim(), config.normNumGroups(), config.useLinearProjection());
    }

    /**
     * Builds the model of {@code config} from {@code weights} (e.g. converted from a single-file
     * checkpoint) and verifies them: every missing, mis-shaped or unexpected key in one {@link
     * org.sdspark.model.nn.ModelLoadException}. The model takes ownership of the dict.
     */
    public static UNet2DConditionModel from(UNetConfig config, StateDict weights) {
        UNet2DConditionModel model = new UNet2DConditionModel(config, weights);
        weights.verify("unet");
        return model;
    }

    /** A diffusers {@code unet/} folder: config.json + diffusion_pytorch_model.safetensors. */
    public static UNet2DConditionModel load(NDManager manager, Path folder) throws IOException {
        return load(manager, new ComponentFolder(folder));
    }

    /** A diffusers {@code unet/} folder, with the weights file it names (a variant, or .bin). */
    public static UNet2DConditionModel load(NDManager manager, ComponentFolder folder) throws IOException {
        return folder.load(manager, UNetConfig::read, UNet2DConditionModel::from);
    }

    /** A freshly initialised model of {@code config} (PyTorch's default init). */
    public static UNet2DConditionModel random(NDManager manager, UNetConfig config) {
        return from(config, StateDict.random(manager, "random init"));
    }

    /** The same model with its weights cast to {@code type} (e.g. float16 for inference). */
    public UNet2DConditionModel toType(DataType type) {
        return from(config, weights.toType(type));
    }

    /** {@link #forward(NDArray, NDArray, NDArray, AddedConditions)} of a UNet without added conditioning (SD 1.x/2.x). */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates) {
        return forward(sample, timesteps, encoderHiddenStates, null);
    }

    /**
     * Predicts the noise (or v) for {@code sample} (B, C, H, W) at {@code timesteps} (B, or a
     * scalar for all) conditioned on {@code encoderHiddenStates} (B, L, cross_attention_dim) and,
     * for a text_time UNet (SDXL), on {@code added} (null otherwise). Inputs are cast to the
     * model's type; the output (B, out_channels, H, W) is in the model's type and belongs to
     * {@code sample}'s manager. Any H, W work: below an odd-sized level the up path upsamples to
     * the skip connection's size.
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates, AddedConditions added) {
        if ((addEmbedding == null) != (added == null)) {
            throw new IllegalArgumentException(addEmbedding == null
                    ? "this UNet takes no added conditions (its config has no addition_embed_type)"
                    : "this UNet's addition_embed_type text_time needs the added conditions text_embeds and time_ids");
        }
        NDManager caller = sample.getManager();
        try (NDManager scope = caller.newSubManager()) {
            sample.tempAttach(scope);
            timesteps.tempAttach(scope);
            encoderHiddenStates.tempAttach(scope);
            DataType type = dataType();
            long batch = sample.getShape().get(0);
            NDArray t = timesteps.getShape().dimension() == 0 ? timesteps.reshape(1) : timesteps;
            NDArray temb = timeEmbedding.forward(timeProj.embed(t.broadcast(new Shape(batch))).toType(type, false));
            if (added != null) {
                added.textEmbeds().tempAttach(scope);
                added.timeIds().tempAttach(scope);
                temb = temb.add(augEmbedding(added, type));
            }
            NDArray context = encoderHiddenStates.toType(type, false);

            NDArray x = convIn.forward(sample.toType(type, false));
            List<NDArray> skips = new ArrayList<>();
            skips.add(x);
            for (DownBlock2D block : downBlocks) {
                x = block.forward(x, temb, context, skips);
            }
            x = midBlock.forward(x, temb, context);
            for (UpBlock2D block : upBlocks) {
                x = block.forward(x, temb, context, skips);
            }
            NDArray out = convOut.forward(act.apply(convNormOut.forward(x)));
            out.attach(caller);
            return out;
        }
    }

    /**
     * diffusers' get_aug_embed for text_time: every time id to sinusoidal features, those of a row
     * appended to its text embedding, lifted to the time embedding's width.
     */
    private NDArray augEmbedding(AddedConditions added, DataType type) {
        NDArray text = added.textEmbeds();
        NDArray ids = added.timeIds();
        TextTimeConfig textTime = config.textTime();
        long rows = text.getShape().get(0);
        long width = text.getShape().get(1) + ids.getShape().get(1) * textTime.additionTimeEmbedDim();
        if (ids.getShape().get(0) != rows || width != textTime.projectionClassEmbeddingsInputDim()) {
            throw new IllegalArgumentException("the UNet expects an added embedding of width "
                    + textTime.projectionClassEmbeddingsInputDim() + ", got text_embeds " + text.getShape() + " and time_ids "
                    + ids.getShape() + " (" + textTime.additionTimeEmbedDim() + " features per time id)");
        }
        NDArray timeEmbeds = addTimeProj.embed(ids.reshape(-1)).reshape(rows, -1);
        NDArray features = text.toType(DataType.FLOAT32, false).concat(timeEmbeds, 1).toType(type, false);
        return addEmbedding.forward(features);
    }

    public UNetConfig config() {
        return config;
    }

    public DataType dataType() {
        return convIn.weight().getDataType();
    }

    /** Every parameter by its diffusers key, in checkpoint order (for training and saving). */
    public Map<String, NDArray> parameters() {
        return weights.tensors();
    }

    public StateDict stateDict() {
        return weights;
    }

    @Override
    public void close() {
        weights.close();
    }
}
