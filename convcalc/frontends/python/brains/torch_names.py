"""What torch 2.13 has, for the questions a model file asks of it: the names ``dir()`` gives of
torch.nn.functional, torch.nn and torch.nn.init (``'silu' in dir(F)``: which functions its torch
has), and the public attributes of each catalogue layer (``hasattr(m, 'zero_init_last_bn')`` of an
nn.Linear is False). Written by tools/torch_names.py from torch itself; tests/oracle checks them."""

DIR = {
    "torch.nn.functional": (
        'BroadcastingList1', 'BroadcastingList2', 'BroadcastingList3', 'Callable', 'DType',
        'GRID_SAMPLE_INTERPOLATION_MODES', 'GRID_SAMPLE_PADDING_MODES', 'Optional', 'ScalingType',
        'SwizzleType', 'TYPE_CHECKING', 'Tensor', '_Any', '_Reduction', '_VF', '__builtins__', '__cached__',
        '__doc__', '__file__', '__loader__', '__name__', '__package__', '__spec__', '_adaptive_max_pool1d',
        '_adaptive_max_pool2d', '_adaptive_max_pool3d', '_add_docstr', '_canonical_mask',
        '_check_key_padding_mask', '_check_unpool_output_size', '_enum_list_as_int_list',
        '_expand_single_value', '_fractional_max_pool2d', '_fractional_max_pool3d', '_get_softmax_dim',
        '_in_projection', '_in_projection_packed', '_is_integer', '_jit_unused', '_list_or_empty',
        '_list_with_default', '_max_pool1d', '_max_pool2d', '_max_pool3d', '_mha_shape_check',
        '_no_grad_embedding_renorm_', '_none_or_dtype', '_overload', '_pair', '_single', '_sym_int',
        '_threshold', '_triple', '_unpool_output_size', '_verify_batch_size', '_verify_spatial_size',
        'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'adaptive_avg_pool3d', 'adaptive_max_pool1d',
        'adaptive_max_pool1d_with_indices', 'adaptive_max_pool2d', 'adaptive_max_pool2d_with_indices',
        'adaptive_max_pool3d', 'adaptive_max_pool3d_with_indices', 'affine_grid', 'alpha_dropout',
        'assert_int_or_pair', 'avg_pool1d', 'avg_pool2d', 'avg_pool3d', 'batch_norm', 'bilinear',
        'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'boolean_dispatch', 'celu', 'celu_',
        'channel_shuffle', 'conv1d', 'conv2d', 'conv3d', 'conv_tbc', 'conv_transpose1d', 'conv_transpose2d',
        'conv_transpose3d', 'cosine_embedding_loss', 'cosine_similarity', 'cross_entropy', 'ctc_loss',
        'dataclasses', 'dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'elu', 'elu_', 'embedding',
        'embedding_bag', 'feature_alpha_dropout', 'fold', 'fractional_max_pool2d',
        'fractional_max_pool2d_with_indices', 'fractional_max_pool3d', 'fractional_max_pool3d_with_indices',
        'gaussian_nll_loss', 'gelu', 'glu', 'grad', 'grid_sample', 'group_norm', 'grouped_mm',
        'gumbel_softmax', 'handle_torch_function', 'hardshrink', 'hardsigmoid', 'hardswish', 'hardtanh',
        'hardtanh_', 'has_torch_function', 'has_torch_function_unary', 'has_torch_function_variadic',
        'hinge_embedding_loss', 'huber_loss', 'importlib', 'instance_norm', 'interpolate', 'kl_div',
        'l1_loss', 'layer_norm', 'leaky_relu', 'leaky_relu_', 'linear', 'linear_cross_entropy',
        'local_response_norm', 'log_softmax', 'logsigmoid', 'lp_pool1d', 'lp_pool2d', 'lp_pool3d',
        'margin_ranking_loss', 'math', 'max_pool1d', 'max_pool1d_with_indices', 'max_pool2d',
        'max_pool2d_with_indices', 'max_pool3d', 'max_pool3d_with_indices', 'max_unpool1d', 'max_unpool2d',
        'max_unpool3d', 'mish', 'mse_loss', 'multi_head_attention_forward', 'multi_margin_loss',
        'multilabel_margin_loss', 'multilabel_soft_margin_loss', 'native_channel_shuffle', 'nll_loss',
        'normalize', 'np', 'one_hot', 'pad', 'pairwise_distance', 'pdist', 'pixel_shuffle', 'pixel_unshuffle',
        'poisson_nll_loss', 'prelu', 'relu', 'relu6', 'relu_', 'reproducibility_notes', 'rms_norm', 'rrelu',
        'rrelu_', 'scaled_dot_product_attention', 'scaled_grouped_mm', 'scaled_mm', 'selu', 'selu_',
        'sigmoid', 'silu', 'smooth_l1_loss', 'soft_margin_loss', 'softmax', 'softmin', 'softplus',
        'softshrink', 'softsign', 'sparse_support_notes', 'tanh', 'tanhshrink', 'tf32_notes', 'threshold',
        'threshold_', 'torch', 'triplet_margin_loss', 'triplet_margin_with_distance_loss', 'unfold',
        'upsample', 'upsample_bilinear', 'upsample_nearest', 'warnings',
    ),
    "torch.nn": (
        'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AdaptiveAvgPool3d', 'AdaptiveLogSoftmaxWithLoss',
        'AdaptiveMaxPool1d', 'AdaptiveMaxPool2d', 'AdaptiveMaxPool3d', 'AlphaDropout', 'AvgPool1d',
        'AvgPool2d', 'AvgPool3d', 'BCELoss', 'BCEWithLogitsLoss', 'BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d',
        'Bilinear', 'Buffer', 'CELU', 'CTCLoss', 'ChannelShuffle', 'CircularPad1d', 'CircularPad2d',
        'CircularPad3d', 'ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d', 'Container', 'Conv1d', 'Conv2d',
        'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d', 'CosineEmbeddingLoss',
        'CosineSimilarity', 'CrossEntropyLoss', 'CrossMapLRN2d', 'DataParallel', 'Dropout', 'Dropout1d',
        'Dropout2d', 'Dropout3d', 'ELU', 'Embedding', 'EmbeddingBag', 'FeatureAlphaDropout', 'Flatten',
        'Fold', 'FractionalMaxPool2d', 'FractionalMaxPool3d', 'GELU', 'GLU', 'GRU', 'GRUCell',
        'GaussianNLLLoss', 'GroupNorm', 'Hardshrink', 'Hardsigmoid', 'Hardswish', 'Hardtanh',
        'HingeEmbeddingLoss', 'HuberLoss', 'Identity', 'InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d',
        'KLDivLoss', 'L1Loss', 'LPPool1d', 'LPPool2d', 'LPPool3d', 'LSTM', 'LSTMCell', 'LayerNorm',
        'LazyBatchNorm1d', 'LazyBatchNorm2d', 'LazyBatchNorm3d', 'LazyConv1d', 'LazyConv2d', 'LazyConv3d',
        'LazyConvTranspose1d', 'LazyConvTranspose2d', 'LazyConvTranspose3d', 'LazyInstanceNorm1d',
        'LazyInstanceNorm2d', 'LazyInstanceNorm3d', 'LazyLinear', 'LeakyReLU', 'Linear',
        'LinearCrossEntropyLoss', 'LinearCrossEntropyOptions', 'LocalResponseNorm', 'LogSigmoid',
        'LogSoftmax', 'MSELoss', 'MarginRankingLoss', 'MaxPool1d', 'MaxPool2d', 'MaxPool3d', 'MaxUnpool1d',
        'MaxUnpool2d', 'MaxUnpool3d', 'Mish', 'Module', 'ModuleDict', 'ModuleList', 'MultiLabelMarginLoss',
        'MultiLabelSoftMarginLoss', 'MultiMarginLoss', 'MultiheadAttention', 'NLLLoss', 'NLLLoss2d', 'PReLU',
        'PairwiseDistance', 'Parameter', 'ParameterDict', 'ParameterList', 'PixelShuffle', 'PixelUnshuffle',
        'PoissonNLLLoss', 'RMSNorm', 'RNN', 'RNNBase', 'RNNCell', 'RNNCellBase', 'RReLU', 'ReLU', 'ReLU6',
        'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d', 'ReplicationPad2d',
        'ReplicationPad3d', 'SELU', 'Sequential', 'SiLU', 'Sigmoid', 'SmoothL1Loss', 'SoftMarginLoss',
        'Softmax', 'Softmax2d', 'Softmin', 'Softplus', 'Softshrink', 'Softsign', 'SyncBatchNorm', 'Tanh',
        'Tanhshrink', 'Threshold', 'Transformer', 'TransformerDecoder', 'TransformerDecoderLayer',
        'TransformerEncoder', 'TransformerEncoderLayer', 'TripletMarginLoss', 'TripletMarginWithDistanceLoss',
        'Unflatten', 'Unfold', 'UninitializedBuffer', 'UninitializedParameter', 'Upsample',
        'UpsamplingBilinear2d', 'UpsamplingNearest2d', 'ZeroPad1d', 'ZeroPad2d', 'ZeroPad3d', '__builtins__',
        '__cached__', '__doc__', '__file__', '__loader__', '__name__', '__package__', '__path__', '__spec__',
        '_reduction', 'attention', 'common_types', 'factory_kwargs', 'functional', 'grad', 'init',
        'intrinsic', 'modules', 'parallel', 'parameter', 'qat', 'quantizable', 'quantized', 'utils',
    ),
    "torch.nn.init": (
        'Callable', 'Literal', 'ParamSpec', 'Tensor', 'TypeVar', '_FanMode', '_NonlinearityType', '_P', '_R',
        '__all__', '__builtins__', '__cached__', '__doc__', '__file__', '__loader__', '__name__',
        '__package__', '__spec__', '_calculate_correct_fan', '_calculate_fan_in_and_fan_out',
        '_make_deprecate', '_no_grad_fill_', '_no_grad_normal_', '_no_grad_trunc_normal_',
        '_no_grad_uniform_', '_no_grad_zero_', 'calculate_gain', 'constant', 'constant_', 'dirac', 'dirac_',
        'eye', 'eye_', 'kaiming_normal', 'kaiming_normal_', 'kaiming_uniform', 'kaiming_uniform_', 'math',
        'normal', 'normal_', 'ones_', 'orthogonal', 'orthogonal_', 'sparse', 'sparse_', 'torch',
        'trunc_normal_', 'uniform', 'uniform_', 'warnings', 'xavier_normal', 'xavier_normal_',
        'xavier_uniform', 'xavier_uniform_', 'zeros_',
    ),
}

# the public attribute names of every nn.Module (its methods, training)
MODULE_ATTRS = frozenset((
    'T_destination', 'add_module', 'apply', 'bfloat16', 'buffers', 'call_super_init', 'children', 'compile',
    'cpu', 'cuda', 'double', 'dump_patches', 'eval', 'extra_repr', 'float', 'forward', 'get_buffer',
    'get_extra_state', 'get_parameter', 'get_submodule', 'half', 'ipu', 'load_state_dict', 'modules', 'mtia',
    'named_buffers', 'named_children', 'named_modules', 'named_parameters', 'parameters',
    'register_backward_hook', 'register_buffer', 'register_forward_hook', 'register_forward_pre_hook',
    'register_full_backward_hook', 'register_full_backward_pre_hook', 'register_load_state_dict_post_hook',
    'register_load_state_dict_pre_hook', 'register_module', 'register_parameter',
    'register_state_dict_post_hook', 'register_state_dict_pre_hook', 'requires_grad_', 'set_extra_state',
    'set_submodule', 'share_memory', 'state_dict', 'to', 'to_empty', 'train', 'training', 'type', 'xpu',
    'zero_grad',
))

# layer -> the public attribute names of torch's class and of an instance, beyond MODULE_ATTRS
LAYER_ATTRS = {
    "AdaptiveAvgPool1d": MODULE_ATTRS | frozenset((
        'output_size',
    )),
    "AdaptiveAvgPool2d": MODULE_ATTRS | frozenset((
        'output_size',
    )),
    "AdaptiveAvgPool3d": MODULE_ATTRS | frozenset((
        'output_size',
    )),
    "AdaptiveMaxPool1d": MODULE_ATTRS | frozenset((
        'output_size', 'return_indices',
    )),
    "AdaptiveMaxPool2d": MODULE_ATTRS | frozenset((
        'output_size', 'return_indices',
    )),
    "AdaptiveMaxPool3d": MODULE_ATTRS | frozenset((
        'output_size', 'return_indices',
    )),
    "AlphaDropout": MODULE_ATTRS | frozenset((
        'inplace', 'p',
    )),
    "AvgPool1d": MODULE_ATTRS | frozenset((
        'ceil_mode', 'count_include_pad', 'kernel_size', 'padding', 'stride',
    )),
    "AvgPool2d": MODULE_ATTRS | frozenset((
        'ceil_mode', 'count_include_pad', 'divisor_override', 'kernel_size', 'padding', 'stride',
    )),
    "AvgPool3d": MODULE_ATTRS | frozenset((
        'ceil_mode', 'count_include_pad', 'divisor_override', 'kernel_size', 'padding', 'stride',
    )),
    "BatchNorm1d": MODULE_ATTRS | frozenset((
        'affine', 'bias', 'device', 'dtype', 'eps', 'momentum', 'num_batches_tracked', 'num_features',
        'reset_parameters', 'reset_running_stats', 'running_mean', 'running_var', 'track_running_stats',
        'weight',
    )),
    "BatchNorm2d": MODULE_ATTRS | frozenset((
        'affine', 'bias', 'device', 'dtype', 'eps', 'momentum', 'num_batches_tracked', 'num_features',
        'reset_parameters', 'reset_running_stats', 'running_mean', 'running_var', 'track_running_stats',
        'weight',
    )),
    "BatchNorm3d": MODULE_ATTRS | frozenset((
        'affine', 'bias', 'device', 'dtype', 'eps', 'momentum', 'num_batches_tracked', 'num_features',
        'reset_parameters', 'reset_running_stats', 'running_mean', 'running_var', 'track_running_stats',
        'weight',
    )),
    "Bilinear": MODULE_ATTRS | frozenset((
        'bias', 'device', 'dtype', 'in1_features', 'in2_features', 'out_features', 'reset_parameters',
        'weight',
    )),
    "ChannelShuffle": MODULE_ATTRS | frozenset((
        'groups',
    )),
    "CircularPad1d": MODULE_ATTRS | frozenset((
        'padding',
    )),
    "CircularPad2d": MODULE_ATTRS | frozenset((
        'padding',
    )),
    "CircularPad3d": MODULE_ATTRS | frozenset((
        'padding',
    )),
    "ConstantPad1d": MODULE_ATTRS | frozenset((
        'padding', 'value',
    )),
    "ConstantPad2d": MODULE_ATTRS | frozenset((
        'padding', 'value',
    )),
    "ConstantPad3d": MODULE_ATTRS | frozenset((
        'padding', 'value',
    )),
    "Conv1d": MODULE_ATTRS | frozenset((
        'bias', 'device', 'dilation', 'dtype', 'groups', 'in_channels', 'kernel_size', 'out_channels',
        'output_padding', 'padding', 'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "Conv2d": MODULE_ATTRS | frozenset((
        'bias', 'device', 'dilation', 'dtype', 'groups', 'in_channels', 'kernel_size', 'out_channels',
        'output_padding', 'padding', 'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "Conv3d": MODULE_ATTRS | frozenset((
        'bias', 'device', 'dilation', 'dtype', 'groups', 'in_channels', 'kernel_size', 'out_channels',
        'output_padding', 'padding', 'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "ConvTranspose1d": MODULE_ATTRS | frozenset((
        'bias', 'device', 'dilation', 'dtype', 'groups', 'in_channels', 'kernel_size', 'out_channels',
        'output_padding', 'padding', 'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "ConvTranspose2d": MODULE_ATTRS | frozenset((
        'bias', 'device', 'dilation', 'dtype', 'groups', 'in_channels', 'kernel_size', 'out_channels',
        'output_padding', 'padding', 'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "ConvTranspose3d": MODULE_ATTRS | frozenset((
        'bias', 'device', 'dilation', 'dtype', 'groups', 'in_channels', 'kernel_size', 'out_channels',
        'output_padding', 'padding', 'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "Dropout": MODULE_ATTRS | frozenset((
        'inplace', 'p',
    )),
    "Dropout1d": MODULE_ATTRS | frozenset((
        'inplace', 'p',
    )),
    "Dropout2d": MODULE_ATTRS | frozenset((
        'inplace', 'p',
    )),
    "Dropout3d": MODULE_ATTRS | frozenset((
        'inplace', 'p',
    )),
    "ELU": MODULE_ATTRS | frozenset((
        'alpha', 'inplace',
    )),
    "Embedding": MODULE_ATTRS | frozenset((
        'device', 'dtype', 'embedding_dim', 'freeze', 'from_pretrained', 'max_norm', 'norm_type',
        'num_embeddings', 'padding_idx', 'reset_parameters', 'scale_grad_by_freq', 'sparse', 'weight',
    )),
    "Flatten": MODULE_ATTRS | frozenset((
        'end_dim', 'start_dim',
    )),
    "Fold": MODULE_ATTRS | frozenset((
        'dilation', 'kernel_size', 'output_size', 'padding', 'stride',
    )),
    "GELU": MODULE_ATTRS | frozenset((
        'approximate',
    )),
    "GLU": MODULE_ATTRS | frozenset((
        'dim',
    )),
    "GRU": MODULE_ATTRS | frozenset((
        'all_weights', 'batch_first', 'bias', 'bias_hh_l0', 'bias_ih_l0', 'bidirectional',
        'check_forward_args', 'check_hidden_size', 'check_input', 'device', 'dropout', 'dtype',
        'flatten_parameters', 'get_expected_hidden_size', 'hidden_size', 'input_size', 'mode', 'num_layers',
        'permute_hidden', 'proj_size', 'reset_parameters', 'weight_hh_l0', 'weight_ih_l0',
    )),
    "GRUCell": MODULE_ATTRS | frozenset((
        'bias', 'bias_hh', 'bias_ih', 'device', 'dtype', 'hidden_size', 'input_size', 'num_chunks',
        'reset_parameters', 'weight_hh', 'weight_ih',
    )),
    "GroupNorm": MODULE_ATTRS | frozenset((
        'affine', 'bias', 'device', 'dtype', 'eps', 'num_channels', 'num_groups', 'reset_parameters',
        'weight',
    )),
    "Hardsigmoid": MODULE_ATTRS | frozenset((
        'inplace',
    )),
    "Hardswish": MODULE_ATTRS | frozenset((
        'inplace',
    )),
    "Hardtanh": MODULE_ATTRS | frozenset((
        'inplace', 'max_val', 'max_value', 'min_val', 'min_value',
    )),
    "Identity": MODULE_ATTRS | frozenset((
       
    )),
    "InstanceNorm1d": MODULE_ATTRS | frozenset((
        'affine', 'bias', 'device', 'dtype', 'eps', 'momentum', 'num_batches_tracked', 'num_features',
        'reset_parameters', 'reset_running_stats', 'running_mean', 'running_var', 'track_running_stats',
        'weight',
    )),
    "InstanceNorm2d": MODULE_ATTRS | frozenset((
        'affine', 'bias', 'device', 'dtype', 'eps', 'momentum', 'num_batches_tracked', 'num_features',
        'reset_parameters', 'reset_running_stats', 'running_mean', 'running_var', 'track_running_stats',
        'weight',
    )),
    "InstanceNorm3d": MODULE_ATTRS | frozenset((
        'affine', 'bias', 'device', 'dtype', 'eps', 'momentum', 'num_batches_tracked', 'num_features',
        'reset_parameters', 'reset_running_stats', 'running_mean', 'running_var', 'track_running_stats',
        'weight',
    )),
    "LSTM": MODULE_ATTRS | frozenset((
        'all_weights', 'batch_first', 'bias', 'bias_hh_l0', 'bias_ih_l0', 'bidirectional',
        'check_forward_args', 'check_hidden_size', 'check_input', 'device', 'dropout', 'dtype',
        'flatten_parameters', 'get_expected_cell_size', 'get_expected_hidden_size', 'hidden_size',
        'input_size', 'mode', 'num_layers', 'permute_hidden', 'proj_size', 'reset_parameters', 'weight_hh_l0',
        'weight_ih_l0',
    )),
    "LSTMCell": MODULE_ATTRS | frozenset((
        'bias', 'bias_hh', 'bias_ih', 'device', 'dtype', 'hidden_size', 'input_size', 'num_chunks',
        'reset_parameters', 'weight_hh', 'weight_ih',
    )),
    "LayerNorm": MODULE_ATTRS | frozenset((
        'bias', 'device', 'dtype', 'elementwise_affine', 'eps', 'normalized_shape', 'reset_parameters',
        'weight',
    )),
    "LazyConv1d": MODULE_ATTRS | frozenset((
        'bias', 'cls_to_become', 'device', 'dilation', 'dtype', 'groups', 'has_uninitialized_params',
        'in_channels', 'initialize_parameters', 'kernel_size', 'out_channels', 'output_padding', 'padding',
        'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "LazyConv2d": MODULE_ATTRS | frozenset((
        'bias', 'cls_to_become', 'device', 'dilation', 'dtype', 'groups', 'has_uninitialized_params',
        'in_channels', 'initialize_parameters', 'kernel_size', 'out_channels', 'output_padding', 'padding',
        'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "LazyConv3d": MODULE_ATTRS | frozenset((
        'bias', 'cls_to_become', 'device', 'dilation', 'dtype', 'groups', 'has_uninitialized_params',
        'in_channels', 'initialize_parameters', 'kernel_size', 'out_channels', 'output_padding', 'padding',
        'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "LazyConvTranspose1d": MODULE_ATTRS | frozenset((
        'bias', 'cls_to_become', 'device', 'dilation', 'dtype', 'groups', 'has_uninitialized_params',
        'in_channels', 'initialize_parameters', 'kernel_size', 'out_channels', 'output_padding', 'padding',
        'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "LazyConvTranspose2d": MODULE_ATTRS | frozenset((
        'bias', 'cls_to_become', 'device', 'dilation', 'dtype', 'groups', 'has_uninitialized_params',
        'in_channels', 'initialize_parameters', 'kernel_size', 'out_channels', 'output_padding', 'padding',
        'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "LazyConvTranspose3d": MODULE_ATTRS | frozenset((
        'bias', 'cls_to_become', 'device', 'dilation', 'dtype', 'groups', 'has_uninitialized_params',
        'in_channels', 'initialize_parameters', 'kernel_size', 'out_channels', 'output_padding', 'padding',
        'padding_mode', 'reset_parameters', 'stride', 'transposed', 'weight',
    )),
    "LazyLinear": MODULE_ATTRS | frozenset((
        'bias', 'cls_to_become', 'device', 'dtype', 'has_uninitialized_params', 'in_features',
        'initialize_parameters', 'out_features', 'reset_parameters', 'weight',
    )),
    "LeakyReLU": MODULE_ATTRS | frozenset((
        'inplace', 'negative_slope',
    )),
    "Linear": MODULE_ATTRS | frozenset((
        'bias', 'device', 'dtype', 'in_features', 'out_features', 'reset_parameters', 'weight',
    )),
    "LocalResponseNorm": MODULE_ATTRS | frozenset((
        'alpha', 'beta', 'k', 'size',
    )),
    "LogSoftmax": MODULE_ATTRS | frozenset((
        'dim',
    )),
    "MaxPool1d": MODULE_ATTRS | frozenset((
        'ceil_mode', 'dilation', 'kernel_size', 'padding', 'return_indices', 'stride',
    )),
    "MaxPool2d": MODULE_ATTRS | frozenset((
        'ceil_mode', 'dilation', 'kernel_size', 'padding', 'return_indices', 'stride',
    )),
    "MaxPool3d": MODULE_ATTRS | frozenset((
        'ceil_mode', 'dilation', 'kernel_size', 'padding', 'return_indices', 'stride',
    )),
    "MaxUnpool1d": MODULE_ATTRS | frozenset((
        'kernel_size', 'padding', 'stride',
    )),
    "MaxUnpool2d": MODULE_ATTRS | frozenset((
        'kernel_size', 'padding', 'stride',
    )),
    "MaxUnpool3d": MODULE_ATTRS | frozenset((
        'kernel_size', 'padding', 'stride',
    )),
    "Mish": MODULE_ATTRS | frozenset((
        'inplace',
    )),
    "MultiheadAttention": MODULE_ATTRS | frozenset((
        'add_bias_kv', 'add_zero_attn', 'batch_first', 'bias', 'bias_k', 'bias_v', 'device', 'dropout',
        'dtype', 'embed_dim', 'head_dim', 'in_proj_bias', 'in_proj_weight', 'k_proj_weight', 'kdim',
        'merge_masks', 'num_heads', 'out_proj', 'q_proj_weight', 'v_proj_weight', 'vdim',
    )),
    "PReLU": MODULE_ATTRS | frozenset((
        'device', 'dtype', 'init', 'num_parameters', 'reset_parameters', 'weight',
    )),
    "PixelShuffle": MODULE_ATTRS | frozenset((
        'upscale_factor',
    )),
    "PixelUnshuffle": MODULE_ATTRS | frozenset((
        'downscale_factor',
    )),
    "RNN": MODULE_ATTRS | frozenset((
        'all_weights', 'batch_first', 'bias', 'bias_hh_l0', 'bias_ih_l0', 'bidirectional',
        'check_forward_args', 'check_hidden_size', 'check_input', 'device', 'dropout', 'dtype',
        'flatten_parameters', 'get_expected_hidden_size', 'hidden_size', 'input_size', 'mode', 'nonlinearity',
        'num_layers', 'permute_hidden', 'proj_size', 'reset_parameters', 'weight_hh_l0', 'weight_ih_l0',
    )),
    "RNNCell": MODULE_ATTRS | frozenset((
        'bias', 'bias_hh', 'bias_ih', 'device', 'dtype', 'hidden_size', 'input_size', 'nonlinearity',
        'num_chunks', 'reset_parameters', 'weight_hh', 'weight_ih',
    )),
    "ReLU": MODULE_ATTRS | frozenset((
        'inplace',
    )),
    "ReLU6": MODULE_ATTRS | frozenset((
        'inplace', 'max_val', 'max_value', 'min_val', 'min_value',
    )),
    "ReflectionPad1d": MODULE_ATTRS | frozenset((
        'padding',
    )),
    "ReflectionPad2d": MODULE_ATTRS | frozenset((
        'padding',
    )),
    "ReflectionPad3d": MODULE_ATTRS | frozenset((
        'padding',
    )),
    "ReplicationPad1d": MODULE_ATTRS | frozenset((
        'padding',
    )),
    "ReplicationPad2d": MODULE_ATTRS | frozenset((
        'padding',
    )),
    "ReplicationPad3d": MODULE_ATTRS | frozenset((
        'padding',
    )),
    "SELU": MODULE_ATTRS | frozenset((
        'inplace',
    )),
    "SiLU": MODULE_ATTRS | frozenset((
        'inplace',
    )),
    "Sigmoid": MODULE_ATTRS | frozenset((
       
    )),
    "Softmax": MODULE_ATTRS | frozenset((
        'dim',
    )),
    "Softmax2d": MODULE_ATTRS | frozenset((
       
    )),
    "Softplus": MODULE_ATTRS | frozenset((
        'beta', 'threshold',
    )),
    "Tanh": MODULE_ATTRS | frozenset((
       
    )),
    "Transformer": MODULE_ATTRS | frozenset((
        'activation', 'batch_first', 'bias', 'custom_decoder', 'custom_encoder', 'd_model', 'decoder',
        'device', 'dim_feedforward', 'dropout', 'dtype', 'encoder', 'generate_square_subsequent_mask',
        'layer_norm_eps', 'nhead', 'norm_first', 'num_decoder_layers', 'num_encoder_layers',
    )),
    "TransformerDecoder": MODULE_ATTRS | frozenset((
        'decoder_layer', 'layers', 'norm', 'num_layers',
    )),
    "TransformerDecoderLayer": MODULE_ATTRS | frozenset((
        'activation', 'batch_first', 'bias', 'd_model', 'device', 'dim_feedforward', 'dropout', 'dropout1',
        'dropout2', 'dropout3', 'dtype', 'layer_norm_eps', 'linear1', 'linear2', 'multihead_attn', 'nhead',
        'norm1', 'norm2', 'norm3', 'norm_first', 'self_attn',
    )),
    "TransformerEncoder": MODULE_ATTRS | frozenset((
        'enable_nested_tensor', 'encoder_layer', 'layers', 'mask_check', 'norm', 'num_layers',
        'use_nested_tensor',
    )),
    "TransformerEncoderLayer": MODULE_ATTRS | frozenset((
        'activation', 'activation_relu_or_gelu', 'batch_first', 'bias', 'd_model', 'device',
        'dim_feedforward', 'dropout', 'dropout1', 'dropout2', 'dtype', 'layer_norm_eps', 'linear1', 'linear2',
        'nhead', 'norm1', 'norm2', 'norm_first', 'self_attn',
    )),
    "Unflatten": MODULE_ATTRS | frozenset((
        'dim', 'unflattened_size',
    )),
    "Unfold": MODULE_ATTRS | frozenset((
        'dilation', 'kernel_size', 'padding', 'stride',
    )),
    "Upsample": MODULE_ATTRS | frozenset((
        'align_corners', 'mode', 'name', 'recompute_scale_factor', 'scale_factor', 'size',
    )),
    "UpsamplingBilinear2d": MODULE_ATTRS | frozenset((
        'align_corners', 'mode', 'name', 'recompute_scale_factor', 'scale_factor', 'size',
    )),
    "UpsamplingNearest2d": MODULE_ATTRS | frozenset((
        'align_corners', 'mode', 'name', 'recompute_scale_factor', 'scale_factor', 'size',
    )),
    "ZeroPad1d": MODULE_ATTRS | frozenset((
        'padding', 'value',
    )),
    "ZeroPad2d": MODULE_ATTRS | frozenset((
        'padding', 'value',
    )),
    "ZeroPad3d": MODULE_ATTRS | frozenset((
        'padding', 'value',
    )),
}
