"""The allow-lists, derived from real artifacts by `pytest_modelgate.security.derive`.

Generated from 357 objects (every scikit-learn 1.9.1 estimator that builds with
defaults, fitted where possible, plus arrays of every dtype, sparse matrices, numpy random
states, containers and FunctionTransformer with common numpy functions), each serialized with
pickle protocols 0-5, joblib (plain and zlib) and skops. Regenerate with
``python -m pytest_modelgate.security.derive --write``; each comment says how many objects
needed the entry and names up to two."""

from __future__ import annotations

ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset({
    ("_codecs", "encode"),  # 284: ARDRegression, AdaBoostClassifier
    ("builtins", "bytearray"),  # 1: containers
    ("builtins", "bytes"),  # 16: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("builtins", "complex"),  # 1: containers
    ("builtins", "dict"),  # 8: StackingClassifier, StackingClassifier-binary
    ("builtins", "frozenset"),  # 1: containers
    ("builtins", "list"),  # 1: defaultdict
    ("builtins", "object"),  # 302: ARDRegression, AdaBoostClassifier
    ("builtins", "range"),  # 1: containers
    ("builtins", "set"),  # 1: containers
    ("builtins", "slice"),  # 8: ColumnTransformer, column-transformer
    ("collections", "Counter"),  # 1: counter
    ("collections", "OrderedDict"),  # 1: ordereddict
    ("collections", "defaultdict"),  # 1: defaultdict
    ("copyreg", "_reconstructor"),  # 304: ARDRegression, AdaBoostClassifier
    ("datetime", "date"),  # 1: datetime
    ("datetime", "datetime"),  # 1: datetime
    ("datetime", "timedelta"),  # 1: datetime
    ("datetime", "timezone"),  # 1: datetime
    ("decimal", "Decimal"),  # 1: decimal
    ("fractions", "Fraction"),  # 1: decimal
    ("functools", "partial"),  # 3: hgb-categorical, hgb-categorical-3
    ("joblib.numpy_pickle", "NumpyArrayWrapper"),  # 260: ARDRegression, AdaBoostClassifier
    ("numpy", "absolute"),  # 1: function-absolute
    ("numpy", "arcsinh"),  # 1: function-arcsinh
    ("numpy", "bool"),  # 1: numpy-types
    ("numpy", "bytes_"),  # 1: numpy-types
    ("numpy", "clip"),  # 1: function-clip
    ("numpy", "complex128"),  # 1: numpy-types
    ("numpy", "complex64"),  # 1: numpy-types
    ("numpy", "datetime64"),  # 1: numpy-types
    ("numpy", "dtype"),  # 284: ARDRegression, AdaBoostClassifier
    ("numpy", "exp"),  # 1: function-exp
    ("numpy", "expm1"),  # 1: function-expm1
    ("numpy", "float16"),  # 1: numpy-types
    ("numpy", "float32"),  # 1: numpy-types
    ("numpy", "float64"),  # 13: DictVectorizer, FeatureHasher
    ("numpy", "int16"),  # 1: numpy-types
    ("numpy", "int32"),  # 1: numpy-types
    ("numpy", "int64"),  # 2: CountVectorizer, numpy-types
    ("numpy", "int8"),  # 1: numpy-types
    ("numpy", "log"),  # 1: function-log
    ("numpy", "log10"),  # 1: function-log10
    ("numpy", "log1p"),  # 1: function-log1p
    ("numpy", "log2"),  # 1: function-log2
    ("numpy", "max"),  # 1: function-max
    ("numpy", "mean"),  # 2: FeatureAgglomeration, function-mean
    ("numpy", "median"),  # 1: function-median
    ("numpy", "min"),  # 1: function-min
    ("numpy", "nan_to_num"),  # 1: function-nan_to_num
    ("numpy", "ndarray"),  # 261: ARDRegression, AdaBoostClassifier
    ("numpy", "object_"),  # 1: numpy-types
    ("numpy", "round"),  # 1: function-round
    ("numpy", "sign"),  # 1: function-sign
    ("numpy", "sinh"),  # 1: function-sinh
    ("numpy", "sqrt"),  # 1: function-sqrt
    ("numpy", "square"),  # 1: function-square
    ("numpy", "str_"),  # 1: numpy-types
    ("numpy", "sum"),  # 1: function-sum
    ("numpy", "tanh"),  # 1: function-tanh
    ("numpy", "timedelta64"),  # 1: numpy-types
    ("numpy", "uint16"),  # 1: numpy-types
    ("numpy", "uint32"),  # 1: numpy-types
    ("numpy", "uint64"),  # 1: numpy-types
    ("numpy", "uint8"),  # 1: numpy-types
    ("numpy._core.multiarray", "_reconstruct"),  # 260: ARDRegression, AdaBoostClassifier
    ("numpy._core.multiarray", "scalar"),  # 138: ARDRegression, AdaBoostClassifier
    ("numpy._core.numeric", "_frombuffer"),  # 254: ARDRegression, AdaBoostClassifier
    ("numpy.core.multiarray", "_reconstruct"),  # 0: numpy 1.x spelling
    ("numpy.core.multiarray", "scalar"),  # 0: numpy 1.x spelling
    ("numpy.core.numeric", "_frombuffer"),  # 0: numpy 1.x spelling
    ("numpy.ma", "MaskedArray"),  # 13: masked, randomized-search
    ("numpy.ma.core", "_mareconstruct"),  # 13: masked, randomized-search
    ("numpy.random._mt19937", "MT19937"),  # 14: BisectingKMeans, GaussianProcessClassifier
    ("numpy.random._pcg64", "PCG64"),  # 7: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("numpy.random._pickle", "__bit_generator_ctor"),  # 21: BisectingKMeans, GaussianProcessClassifier
    ("numpy.random._pickle", "__generator_ctor"),  # 7: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("numpy.random._pickle", "__randomstate_ctor"),  # 14: BisectingKMeans, GaussianProcessClassifier
    ("numpy.random.bit_generator", "SeedSequence"),  # 21: BisectingKMeans, GaussianProcessClassifier
    ("numpy.random.bit_generator", "__pyx_unpickle_SeedSequence"),  # 21: BisectingKMeans, GaussianProcessClassifier
    ("scipy._lib.array_api_compat.numpy._aliases", "asarray"),  # 1: SplineTransformer
    ("scipy.interpolate._bsplines", "BSpline"),  # 1: SplineTransformer
    ("scipy.sparse._bsr", "bsr_array"),  # 1: sparse-array-bsr
    ("scipy.sparse._bsr", "bsr_matrix"),  # 1: sparse-bsr
    ("scipy.sparse._coo", "coo_array"),  # 1: sparse-array-coo
    ("scipy.sparse._coo", "coo_matrix"),  # 1: sparse-coo
    ("scipy.sparse._csc", "csc_array"),  # 1: sparse-array-csc
    ("scipy.sparse._csc", "csc_matrix"),  # 1: sparse-csc
    ("scipy.sparse._csr", "csr_array"),  # 1: sparse-array-csr
    ("scipy.sparse._csr", "csr_matrix"),  # 2: SpectralEmbedding, sparse-csr
    ("scipy.sparse._dia", "dia_array"),  # 1: sparse-array-dia
    ("scipy.sparse._dia", "dia_matrix"),  # 1: sparse-dia
    ("scipy.sparse._dok", "dok_array"),  # 1: sparse-array-dok
    ("scipy.sparse._dok", "dok_matrix"),  # 1: sparse-dok
    ("scipy.sparse._lil", "lil_array"),  # 1: sparse-array-lil
    ("scipy.sparse._lil", "lil_matrix"),  # 1: sparse-lil
    ("sklearn._loss._loss", "CyAbsoluteError"),  # 2: loss-gb-absolute_error, loss-hgb-absolute_error
    ("sklearn._loss._loss", "CyExponentialLoss"),  # 1: loss-gb-exponential
    ("sklearn._loss._loss", "CyHalfBinomialLoss"),  # 3: GradientBoostingClassifier-binary, HistGradientBoostingClassifier-binary
    ("sklearn._loss._loss", "CyHalfGammaLoss"),  # 1: GammaRegressor
    ("sklearn._loss._loss", "CyHalfMultinomialLoss"),  # 3: GradientBoostingClassifier, HistGradientBoostingClassifier
    ("sklearn._loss._loss", "CyHalfPoissonLoss"),  # 1: PoissonRegressor
    ("sklearn._loss._loss", "CyHalfSquaredError"),  # 3: GradientBoostingRegressor, HistGradientBoostingRegressor
    ("sklearn._loss._loss", "CyHalfTweedieLoss"),  # 5: loss-tweedie-0, loss-tweedie-1
    ("sklearn._loss._loss", "CyHalfTweedieLossIdentity"),  # 1: TweedieRegressor
    ("sklearn._loss._loss", "CyHuberLoss"),  # 2: loss-gb-huber, loss-sgdc-huber
    ("sklearn._loss._loss", "CyPinballLoss"),  # 2: loss-gb-quantile, loss-hgb-quantile
    ("sklearn._loss._loss", "__pyx_unpickle_CyHalfMultinomialLoss"),  # 3: GradientBoostingClassifier, HistGradientBoostingClassifier
    ("sklearn._loss.link", "HalfLogitLink"),  # 1: loss-gb-exponential
    ("sklearn._loss.link", "IdentityLink"),  # 4: GradientBoostingRegressor, HistGradientBoostingRegressor
    ("sklearn._loss.link", "Interval"),  # 12: GammaRegressor, GradientBoostingClassifier
    ("sklearn._loss.link", "LogLink"),  # 2: GammaRegressor, PoissonRegressor
    ("sklearn._loss.link", "LogitLink"),  # 3: GradientBoostingClassifier-binary, HistGradientBoostingClassifier-binary
    ("sklearn._loss.link", "MultinomialLogit"),  # 3: GradientBoostingClassifier, HistGradientBoostingClassifier
    ("sklearn._loss.loss", "AbsoluteError"),  # 2: loss-gb-absolute_error, loss-hgb-absolute_error
    ("sklearn._loss.loss", "ExponentialLoss"),  # 1: loss-gb-exponential
    ("sklearn._loss.loss", "HalfBinomialLoss"),  # 3: GradientBoostingClassifier-binary, HistGradientBoostingClassifier-binary
    ("sklearn._loss.loss", "HalfGammaLoss"),  # 1: GammaRegressor
    ("sklearn._loss.loss", "HalfMultinomialLoss"),  # 3: GradientBoostingClassifier, HistGradientBoostingClassifier
    ("sklearn._loss.loss", "HalfPoissonLoss"),  # 1: PoissonRegressor
    ("sklearn._loss.loss", "HalfSquaredError"),  # 3: GradientBoostingRegressor, HistGradientBoostingRegressor
    ("sklearn._loss.loss", "HalfTweedieLoss"),  # 5: loss-tweedie-0, loss-tweedie-1
    ("sklearn._loss.loss", "HalfTweedieLossIdentity"),  # 1: TweedieRegressor
    ("sklearn._loss.loss", "HuberLoss"),  # 1: loss-gb-huber
    ("sklearn._loss.loss", "PinballLoss"),  # 2: loss-gb-quantile, loss-hgb-quantile
    ("sklearn.calibration", "CalibratedClassifierCV"),  # 2: CalibratedClassifierCV, CalibratedClassifierCV-binary
    ("sklearn.calibration", "_CalibratedClassifier"),  # 2: CalibratedClassifierCV, CalibratedClassifierCV-binary
    ("sklearn.calibration", "_SigmoidCalibration"),  # 2: CalibratedClassifierCV, CalibratedClassifierCV-binary
    ("sklearn.cluster._affinity_propagation", "AffinityPropagation"),  # 1: AffinityPropagation
    ("sklearn.cluster._agglomerative", "AgglomerativeClustering"),  # 1: AgglomerativeClustering
    ("sklearn.cluster._agglomerative", "FeatureAgglomeration"),  # 1: FeatureAgglomeration
    ("sklearn.cluster._bicluster", "SpectralBiclustering"),  # 1: SpectralBiclustering
    ("sklearn.cluster._bicluster", "SpectralCoclustering"),  # 1: SpectralCoclustering
    ("sklearn.cluster._birch", "Birch"),  # 1: Birch
    ("sklearn.cluster._birch", "_CFNode"),  # 1: Birch
    ("sklearn.cluster._birch", "_CFSubcluster"),  # 1: Birch
    ("sklearn.cluster._bisect_k_means", "BisectingKMeans"),  # 1: BisectingKMeans
    ("sklearn.cluster._bisect_k_means", "_BisectingTree"),  # 1: BisectingKMeans
    ("sklearn.cluster._dbscan", "DBSCAN"),  # 1: DBSCAN
    ("sklearn.cluster._hdbscan.hdbscan", "HDBSCAN"),  # 1: HDBSCAN
    ("sklearn.cluster._kmeans", "KMeans"),  # 1: KMeans
    ("sklearn.cluster._kmeans", "MiniBatchKMeans"),  # 1: MiniBatchKMeans
    ("sklearn.cluster._kmeans", "_kmeans_single_lloyd"),  # 1: BisectingKMeans
    ("sklearn.cluster._mean_shift", "MeanShift"),  # 1: MeanShift
    ("sklearn.cluster._optics", "OPTICS"),  # 1: OPTICS
    ("sklearn.cluster._spectral", "SpectralClustering"),  # 1: SpectralClustering
    ("sklearn.compose._column_transformer", "ColumnTransformer"),  # 7: ColumnTransformer, column-transformer
    ("sklearn.compose._target", "TransformedTargetRegressor"),  # 1: TransformedTargetRegressor
    ("sklearn.covariance._elliptic_envelope", "EllipticEnvelope"),  # 1: EllipticEnvelope
    ("sklearn.covariance._empirical_covariance", "EmpiricalCovariance"),  # 1: EmpiricalCovariance
    ("sklearn.covariance._graph_lasso", "GraphicalLasso"),  # 1: GraphicalLasso
    ("sklearn.covariance._graph_lasso", "GraphicalLassoCV"),  # 1: GraphicalLassoCV
    ("sklearn.covariance._robust_covariance", "MinCovDet"),  # 1: MinCovDet
    ("sklearn.covariance._shrunk_covariance", "LedoitWolf"),  # 1: LedoitWolf
    ("sklearn.covariance._shrunk_covariance", "OAS"),  # 1: OAS
    ("sklearn.covariance._shrunk_covariance", "ShrunkCovariance"),  # 1: ShrunkCovariance
    ("sklearn.cross_decomposition._pls", "CCA"),  # 1: CCA
    ("sklearn.cross_decomposition._pls", "PLSCanonical"),  # 1: PLSCanonical
    ("sklearn.cross_decomposition._pls", "PLSRegression"),  # 1: PLSRegression
    ("sklearn.cross_decomposition._pls", "PLSSVD"),  # 1: PLSSVD
    ("sklearn.decomposition._dict_learning", "DictionaryLearning"),  # 1: DictionaryLearning
    ("sklearn.decomposition._dict_learning", "MiniBatchDictionaryLearning"),  # 1: MiniBatchDictionaryLearning
    ("sklearn.decomposition._factor_analysis", "FactorAnalysis"),  # 1: FactorAnalysis
    ("sklearn.decomposition._fastica", "FastICA"),  # 1: FastICA
    ("sklearn.decomposition._incremental_pca", "IncrementalPCA"),  # 1: IncrementalPCA
    ("sklearn.decomposition._kernel_pca", "KernelPCA"),  # 2: Isomap, KernelPCA
    ("sklearn.decomposition._lda", "LatentDirichletAllocation"),  # 1: LatentDirichletAllocation
    ("sklearn.decomposition._nmf", "MiniBatchNMF"),  # 1: MiniBatchNMF
    ("sklearn.decomposition._nmf", "NMF"),  # 1: NMF
    ("sklearn.decomposition._pca", "PCA"),  # 1: PCA
    ("sklearn.decomposition._sparse_pca", "MiniBatchSparsePCA"),  # 1: MiniBatchSparsePCA
    ("sklearn.decomposition._sparse_pca", "SparsePCA"),  # 1: SparsePCA
    ("sklearn.decomposition._truncated_svd", "TruncatedSVD"),  # 1: TruncatedSVD
    ("sklearn.discriminant_analysis", "LinearDiscriminantAnalysis"),  # 2: LinearDiscriminantAnalysis, LinearDiscriminantAnalysis-binary
    ("sklearn.discriminant_analysis", "QuadraticDiscriminantAnalysis"),  # 2: QuadraticDiscriminantAnalysis, QuadraticDiscriminantAnalysis-binary
    ("sklearn.dummy", "DummyClassifier"),  # 4: DummyClassifier, DummyClassifier-binary
    ("sklearn.dummy", "DummyRegressor"),  # 2: DummyRegressor, GradientBoostingRegressor
    ("sklearn.ensemble._bagging", "BaggingClassifier"),  # 2: BaggingClassifier, BaggingClassifier-binary
    ("sklearn.ensemble._bagging", "BaggingRegressor"),  # 1: BaggingRegressor
    ("sklearn.ensemble._forest", "ExtraTreesClassifier"),  # 2: ExtraTreesClassifier, ExtraTreesClassifier-binary
    ("sklearn.ensemble._forest", "ExtraTreesRegressor"),  # 1: ExtraTreesRegressor
    ("sklearn.ensemble._forest", "RandomForestClassifier"),  # 2: RandomForestClassifier, RandomForestClassifier-binary
    ("sklearn.ensemble._forest", "RandomForestRegressor"),  # 1: RandomForestRegressor
    ("sklearn.ensemble._forest", "RandomTreesEmbedding"),  # 1: RandomTreesEmbedding
    ("sklearn.ensemble._gb", "GradientBoostingClassifier"),  # 2: GradientBoostingClassifier, GradientBoostingClassifier-binary
    ("sklearn.ensemble._gb", "GradientBoostingRegressor"),  # 1: GradientBoostingRegressor
    ("sklearn.ensemble._hist_gradient_boosting.binning", "_BinMapper"),  # 6: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("sklearn.ensemble._hist_gradient_boosting.gradient_boosting", "HistGradientBoostingClassifier"),  # 4: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("sklearn.ensemble._hist_gradient_boosting.gradient_boosting", "HistGradientBoostingRegressor"),  # 2: HistGradientBoostingRegressor, hgb-categorical-reg
    ("sklearn.ensemble._hist_gradient_boosting.predictor", "TreePredictor"),  # 6: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("sklearn.ensemble._iforest", "IsolationForest"),  # 1: IsolationForest
    ("sklearn.ensemble._stacking", "StackingClassifier"),  # 2: StackingClassifier, StackingClassifier-binary
    ("sklearn.ensemble._stacking", "StackingRegressor"),  # 1: StackingRegressor
    ("sklearn.ensemble._voting", "VotingClassifier"),  # 2: VotingClassifier, VotingClassifier-binary
    ("sklearn.ensemble._voting", "VotingRegressor"),  # 1: VotingRegressor
    ("sklearn.ensemble._weight_boosting", "AdaBoostClassifier"),  # 2: AdaBoostClassifier, AdaBoostClassifier-binary
    ("sklearn.ensemble._weight_boosting", "AdaBoostRegressor"),  # 1: AdaBoostRegressor
    ("sklearn.feature_extraction._dict_vectorizer", "DictVectorizer"),  # 1: DictVectorizer
    ("sklearn.feature_extraction._hash", "FeatureHasher"),  # 1: FeatureHasher
    ("sklearn.feature_extraction.image", "PatchExtractor"),  # 1: PatchExtractor
    ("sklearn.feature_extraction.text", "CountVectorizer"),  # 1: CountVectorizer
    ("sklearn.feature_extraction.text", "HashingVectorizer"),  # 1: HashingVectorizer
    ("sklearn.feature_extraction.text", "TfidfTransformer"),  # 2: TfidfTransformer, TfidfVectorizer
    ("sklearn.feature_extraction.text", "TfidfVectorizer"),  # 1: TfidfVectorizer
    ("sklearn.feature_selection._from_model", "SelectFromModel"),  # 1: SelectFromModel
    ("sklearn.feature_selection._rfe", "RFE"),  # 2: RFE, RFE-binary
    ("sklearn.feature_selection._rfe", "RFECV"),  # 1: RFECV
    ("sklearn.feature_selection._sequential", "SequentialFeatureSelector"),  # 1: SequentialFeatureSelector
    ("sklearn.feature_selection._univariate_selection", "GenericUnivariateSelect"),  # 1: GenericUnivariateSelect
    ("sklearn.feature_selection._univariate_selection", "SelectFdr"),  # 1: SelectFdr
    ("sklearn.feature_selection._univariate_selection", "SelectFpr"),  # 1: SelectFpr
    ("sklearn.feature_selection._univariate_selection", "SelectFwe"),  # 1: SelectFwe
    ("sklearn.feature_selection._univariate_selection", "SelectKBest"),  # 1: SelectKBest
    ("sklearn.feature_selection._univariate_selection", "SelectPercentile"),  # 1: SelectPercentile
    ("sklearn.feature_selection._univariate_selection", "f_classif"),  # 6: GenericUnivariateSelect, SelectFdr
    ("sklearn.feature_selection._variance_threshold", "VarianceThreshold"),  # 1: VarianceThreshold
    ("sklearn.frozen._frozen", "FrozenEstimator"),  # 2: FrozenEstimator, FrozenEstimator-binary
    ("sklearn.gaussian_process._gpc", "GaussianProcessClassifier"),  # 2: GaussianProcessClassifier, GaussianProcessClassifier-binary
    ("sklearn.gaussian_process._gpc", "_BinaryGaussianProcessClassifierLaplace"),  # 2: GaussianProcessClassifier, GaussianProcessClassifier-binary
    ("sklearn.gaussian_process._gpr", "GaussianProcessRegressor"),  # 1: GaussianProcessRegressor
    ("sklearn.gaussian_process.kernels", "ConstantKernel"),  # 3: GaussianProcessClassifier, GaussianProcessClassifier-binary
    ("sklearn.gaussian_process.kernels", "Product"),  # 3: GaussianProcessClassifier, GaussianProcessClassifier-binary
    ("sklearn.gaussian_process.kernels", "RBF"),  # 3: GaussianProcessClassifier, GaussianProcessClassifier-binary
    ("sklearn.impute._base", "MissingIndicator"),  # 1: MissingIndicator
    ("sklearn.impute._base", "SimpleImputer"),  # 1: SimpleImputer
    ("sklearn.impute._knn", "KNNImputer"),  # 1: KNNImputer
    ("sklearn.isotonic", "IsotonicRegression"),  # 1: IsotonicRegression
    ("sklearn.kernel_approximation", "AdditiveChi2Sampler"),  # 1: AdditiveChi2Sampler
    ("sklearn.kernel_approximation", "Nystroem"),  # 1: Nystroem
    ("sklearn.kernel_approximation", "PolynomialCountSketch"),  # 1: PolynomialCountSketch
    ("sklearn.kernel_approximation", "RBFSampler"),  # 1: RBFSampler
    ("sklearn.kernel_approximation", "SkewedChi2Sampler"),  # 1: SkewedChi2Sampler
    ("sklearn.kernel_ridge", "KernelRidge"),  # 1: KernelRidge
    ("sklearn.linear_model._base", "LinearRegression"),  # 10: LinearRegression, MultiOutputRegressor
    ("sklearn.linear_model._bayes", "ARDRegression"),  # 1: ARDRegression
    ("sklearn.linear_model._bayes", "BayesianRidge"),  # 1: BayesianRidge
    ("sklearn.linear_model._coordinate_descent", "ElasticNet"),  # 1: ElasticNet
    ("sklearn.linear_model._coordinate_descent", "ElasticNetCV"),  # 1: ElasticNetCV
    ("sklearn.linear_model._coordinate_descent", "Lasso"),  # 1: Lasso
    ("sklearn.linear_model._coordinate_descent", "LassoCV"),  # 1: LassoCV
    ("sklearn.linear_model._coordinate_descent", "MultiTaskElasticNet"),  # 1: MultiTaskElasticNet
    ("sklearn.linear_model._coordinate_descent", "MultiTaskElasticNetCV"),  # 1: MultiTaskElasticNetCV
    ("sklearn.linear_model._coordinate_descent", "MultiTaskLasso"),  # 1: MultiTaskLasso
    ("sklearn.linear_model._coordinate_descent", "MultiTaskLassoCV"),  # 1: MultiTaskLassoCV
    ("sklearn.linear_model._glm.glm", "GammaRegressor"),  # 1: GammaRegressor
    ("sklearn.linear_model._glm.glm", "PoissonRegressor"),  # 1: PoissonRegressor
    ("sklearn.linear_model._glm.glm", "TweedieRegressor"),  # 1: TweedieRegressor
    ("sklearn.linear_model._huber", "HuberRegressor"),  # 1: HuberRegressor
    ("sklearn.linear_model._least_angle", "Lars"),  # 1: Lars
    ("sklearn.linear_model._least_angle", "LarsCV"),  # 1: LarsCV
    ("sklearn.linear_model._least_angle", "LassoLars"),  # 1: LassoLars
    ("sklearn.linear_model._least_angle", "LassoLarsCV"),  # 1: LassoLarsCV
    ("sklearn.linear_model._least_angle", "LassoLarsIC"),  # 1: LassoLarsIC
    ("sklearn.linear_model._logistic", "LogisticRegression"),  # 34: ClassifierChain, ClassifierChain-binary
    ("sklearn.linear_model._logistic", "LogisticRegressionCV"),  # 2: LogisticRegressionCV, LogisticRegressionCV-binary
    ("sklearn.linear_model._omp", "OrthogonalMatchingPursuit"),  # 1: OrthogonalMatchingPursuit
    ("sklearn.linear_model._omp", "OrthogonalMatchingPursuitCV"),  # 1: OrthogonalMatchingPursuitCV
    ("sklearn.linear_model._passive_aggressive", "PassiveAggressiveClassifier"),  # 2: PassiveAggressiveClassifier, PassiveAggressiveClassifier-binary
    ("sklearn.linear_model._passive_aggressive", "PassiveAggressiveRegressor"),  # 1: PassiveAggressiveRegressor
    ("sklearn.linear_model._perceptron", "Perceptron"),  # 2: Perceptron, Perceptron-binary
    ("sklearn.linear_model._quantile", "QuantileRegressor"),  # 1: QuantileRegressor
    ("sklearn.linear_model._ransac", "RANSACRegressor"),  # 1: RANSACRegressor
    ("sklearn.linear_model._ridge", "Ridge"),  # 6: Ridge, search-neg_mean_absolute_error
    ("sklearn.linear_model._ridge", "RidgeCV"),  # 2: RidgeCV, StackingRegressor
    ("sklearn.linear_model._ridge", "RidgeClassifier"),  # 2: RidgeClassifier, RidgeClassifier-binary
    ("sklearn.linear_model._ridge", "RidgeClassifierCV"),  # 2: RidgeClassifierCV, RidgeClassifierCV-binary
    ("sklearn.linear_model._sgd_fast", "EpsilonInsensitive"),  # 1: loss-sgdc-epsilon_insensitive
    ("sklearn.linear_model._sgd_fast", "Hinge"),  # 7: PassiveAggressiveClassifier, PassiveAggressiveClassifier-binary
    ("sklearn.linear_model._sgd_fast", "ModifiedHuber"),  # 1: loss-sgdc-modified_huber
    ("sklearn.linear_model._sgd_fast", "SquaredEpsilonInsensitive"),  # 1: loss-sgdc-squared_epsilon_insensitive
    ("sklearn.linear_model._sgd_fast", "SquaredHinge"),  # 1: loss-sgdc-squared_hinge
    ("sklearn.linear_model._stochastic_gradient", "SGDClassifier"),  # 2: SGDClassifier, SGDClassifier-binary
    ("sklearn.linear_model._stochastic_gradient", "SGDOneClassSVM"),  # 1: SGDOneClassSVM
    ("sklearn.linear_model._stochastic_gradient", "SGDRegressor"),  # 1: SGDRegressor
    ("sklearn.linear_model._theil_sen", "TheilSenRegressor"),  # 1: TheilSenRegressor
    ("sklearn.manifold._classical_mds", "ClassicalMDS"),  # 1: ClassicalMDS
    ("sklearn.manifold._isomap", "Isomap"),  # 1: Isomap
    ("sklearn.manifold._locally_linear", "LocallyLinearEmbedding"),  # 1: LocallyLinearEmbedding
    ("sklearn.manifold._mds", "MDS"),  # 1: MDS
    ("sklearn.manifold._spectral_embedding", "SpectralEmbedding"),  # 1: SpectralEmbedding
    ("sklearn.manifold._t_sne", "TSNE"),  # 1: TSNE
    ("sklearn.metrics._classification", "accuracy_score"),  # 1: search-accuracy
    ("sklearn.metrics._classification", "balanced_accuracy_score"),  # 1: search-balanced_accuracy
    ("sklearn.metrics._classification", "f1_score"),  # 1: search-f1
    ("sklearn.metrics._classification", "log_loss"),  # 1: search-neg_log_loss
    ("sklearn.metrics._dist_metrics", "EuclideanDistance64"),  # 13: Isomap, KNeighborsClassifier
    ("sklearn.metrics._dist_metrics", "newObj"),  # 13: Isomap, KNeighborsClassifier
    ("sklearn.metrics._ranking", "average_precision_score"),  # 1: search-average_precision
    ("sklearn.metrics._ranking", "roc_auc_score"),  # 1: search-roc_auc
    ("sklearn.metrics._regression", "mean_absolute_error"),  # 1: search-neg_mean_absolute_error
    ("sklearn.metrics._regression", "mean_squared_error"),  # 1: search-neg_mean_squared_error
    ("sklearn.metrics._regression", "r2_score"),  # 1: search-r2
    ("sklearn.metrics._regression", "root_mean_squared_error"),  # 1: search-neg_root_mean_squared_error
    ("sklearn.metrics._scorer", "_PassthroughScorer"),  # 2: randomized-search, search-shuffle-split
    ("sklearn.metrics._scorer", "_Scorer"),  # 10: search-accuracy, search-average_precision
    ("sklearn.mixture._bayesian_mixture", "BayesianGaussianMixture"),  # 1: BayesianGaussianMixture
    ("sklearn.mixture._gaussian_mixture", "GaussianMixture"),  # 1: GaussianMixture
    ("sklearn.model_selection._classification_threshold", "FixedThresholdClassifier"),  # 2: FixedThresholdClassifier, FixedThresholdClassifier-binary
    ("sklearn.model_selection._classification_threshold", "TunedThresholdClassifierCV"),  # 2: TunedThresholdClassifierCV, TunedThresholdClassifierCV-binary
    ("sklearn.model_selection._search", "GridSearchCV"),  # 11: search-accuracy, search-average_precision
    ("sklearn.model_selection._search", "RandomizedSearchCV"),  # 1: randomized-search
    ("sklearn.model_selection._split", "KFold"),  # 4: search-neg_mean_absolute_error, search-neg_mean_squared_error
    ("sklearn.model_selection._split", "ShuffleSplit"),  # 1: search-shuffle-split
    ("sklearn.model_selection._split", "StratifiedKFold"),  # 7: randomized-search, search-accuracy
    ("sklearn.multiclass", "OneVsOneClassifier"),  # 2: OneVsOneClassifier, OneVsOneClassifier-binary
    ("sklearn.multiclass", "OneVsRestClassifier"),  # 3: GaussianProcessClassifier, OneVsRestClassifier
    ("sklearn.multiclass", "OutputCodeClassifier"),  # 2: OutputCodeClassifier, OutputCodeClassifier-binary
    ("sklearn.multiclass", "_ConstantPredictor"),  # 2: OutputCodeClassifier, OutputCodeClassifier-binary
    ("sklearn.multioutput", "ClassifierChain"),  # 2: ClassifierChain, ClassifierChain-binary
    ("sklearn.multioutput", "MultiOutputClassifier"),  # 2: MultiOutputClassifier, MultiOutputClassifier-binary
    ("sklearn.multioutput", "MultiOutputRegressor"),  # 1: MultiOutputRegressor
    ("sklearn.multioutput", "RegressorChain"),  # 1: RegressorChain
    ("sklearn.naive_bayes", "BernoulliNB"),  # 2: BernoulliNB, BernoulliNB-binary
    ("sklearn.naive_bayes", "CategoricalNB"),  # 2: CategoricalNB, CategoricalNB-binary
    ("sklearn.naive_bayes", "ComplementNB"),  # 2: ComplementNB, ComplementNB-binary
    ("sklearn.naive_bayes", "GaussianNB"),  # 2: GaussianNB, GaussianNB-binary
    ("sklearn.naive_bayes", "MultinomialNB"),  # 2: MultinomialNB, MultinomialNB-binary
    ("sklearn.neighbors._classification", "KNeighborsClassifier"),  # 2: KNeighborsClassifier, KNeighborsClassifier-binary
    ("sklearn.neighbors._classification", "RadiusNeighborsClassifier"),  # 2: RadiusNeighborsClassifier, RadiusNeighborsClassifier-binary
    ("sklearn.neighbors._graph", "KNeighborsTransformer"),  # 1: KNeighborsTransformer
    ("sklearn.neighbors._graph", "RadiusNeighborsTransformer"),  # 1: RadiusNeighborsTransformer
    ("sklearn.neighbors._kd_tree", "KDTree"),  # 13: Isomap, KNeighborsClassifier
    ("sklearn.neighbors._kd_tree", "newObj"),  # 13: Isomap, KNeighborsClassifier
    ("sklearn.neighbors._kde", "KernelDensity"),  # 1: KernelDensity
    ("sklearn.neighbors._lof", "LocalOutlierFactor"),  # 1: LocalOutlierFactor
    ("sklearn.neighbors._nca", "NeighborhoodComponentsAnalysis"),  # 1: NeighborhoodComponentsAnalysis
    ("sklearn.neighbors._nearest_centroid", "NearestCentroid"),  # 2: NearestCentroid, NearestCentroid-binary
    ("sklearn.neighbors._regression", "KNeighborsRegressor"),  # 1: KNeighborsRegressor
    ("sklearn.neighbors._regression", "RadiusNeighborsRegressor"),  # 1: RadiusNeighborsRegressor
    ("sklearn.neighbors._unsupervised", "NearestNeighbors"),  # 3: Isomap, LocallyLinearEmbedding
    ("sklearn.neural_network._multilayer_perceptron", "MLPClassifier"),  # 2: MLPClassifier, MLPClassifier-binary
    ("sklearn.neural_network._multilayer_perceptron", "MLPRegressor"),  # 1: MLPRegressor
    ("sklearn.neural_network._rbm", "BernoulliRBM"),  # 1: BernoulliRBM
    ("sklearn.neural_network._stochastic_optimizers", "AdamOptimizer"),  # 3: MLPClassifier, MLPClassifier-binary
    ("sklearn.pipeline", "FeatureUnion"),  # 1: FeatureUnion
    ("sklearn.pipeline", "Pipeline"),  # 5: Pipeline, Pipeline-binary
    ("sklearn.preprocessing._data", "Binarizer"),  # 1: Binarizer
    ("sklearn.preprocessing._data", "KernelCenterer"),  # 3: Isomap, KernelCenterer
    ("sklearn.preprocessing._data", "MaxAbsScaler"),  # 1: MaxAbsScaler
    ("sklearn.preprocessing._data", "MinMaxScaler"),  # 1: MinMaxScaler
    ("sklearn.preprocessing._data", "Normalizer"),  # 1: Normalizer
    ("sklearn.preprocessing._data", "PowerTransformer"),  # 1: PowerTransformer
    ("sklearn.preprocessing._data", "QuantileTransformer"),  # 1: QuantileTransformer
    ("sklearn.preprocessing._data", "RobustScaler"),  # 1: RobustScaler
    ("sklearn.preprocessing._data", "StandardScaler"),  # 8: ColumnTransformer, FeatureUnion
    ("sklearn.preprocessing._discretization", "KBinsDiscretizer"),  # 1: KBinsDiscretizer
    ("sklearn.preprocessing._encoders", "OneHotEncoder"),  # 5: KBinsDiscretizer, OneHotEncoder
    ("sklearn.preprocessing._encoders", "OrdinalEncoder"),  # 5: OrdinalEncoder, column-transformer
    ("sklearn.preprocessing._function_transformer", "FunctionTransformer"),  # 27: FunctionTransformer, TransformedTargetRegressor
    ("sklearn.preprocessing._label", "LabelBinarizer"),  # 10: GaussianProcessClassifier, LabelBinarizer
    ("sklearn.preprocessing._label", "LabelEncoder"),  # 9: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("sklearn.preprocessing._label", "MultiLabelBinarizer"),  # 1: MultiLabelBinarizer
    ("sklearn.preprocessing._polynomial", "PolynomialFeatures"),  # 1: PolynomialFeatures
    ("sklearn.preprocessing._polynomial", "SplineTransformer"),  # 1: SplineTransformer
    ("sklearn.preprocessing._target_encoder", "TargetEncoder"),  # 2: TargetEncoder, target-encoder
    ("sklearn.random_projection", "GaussianRandomProjection"),  # 1: GaussianRandomProjection
    ("sklearn.random_projection", "SparseRandomProjection"),  # 1: SparseRandomProjection
    ("sklearn.semi_supervised._label_propagation", "LabelPropagation"),  # 2: LabelPropagation, LabelPropagation-binary
    ("sklearn.semi_supervised._label_propagation", "LabelSpreading"),  # 2: LabelSpreading, LabelSpreading-binary
    ("sklearn.semi_supervised._self_training", "SelfTrainingClassifier"),  # 1: SelfTrainingClassifier
    ("sklearn.svm._classes", "LinearSVC"),  # 4: CalibratedClassifierCV, CalibratedClassifierCV-binary
    ("sklearn.svm._classes", "LinearSVR"),  # 1: LinearSVR
    ("sklearn.svm._classes", "NuSVC"),  # 2: NuSVC, NuSVC-binary
    ("sklearn.svm._classes", "NuSVR"),  # 1: NuSVR
    ("sklearn.svm._classes", "OneClassSVM"),  # 1: OneClassSVM
    ("sklearn.svm._classes", "SVC"),  # 2: SVC, SVC-binary
    ("sklearn.svm._classes", "SVR"),  # 1: SVR
    ("sklearn.tree._classes", "DecisionTreeClassifier"),  # 14: AdaBoostClassifier, AdaBoostClassifier-binary
    ("sklearn.tree._classes", "DecisionTreeRegressor"),  # 9: AdaBoostRegressor, BaggingRegressor
    ("sklearn.tree._classes", "ExtraTreeClassifier"),  # 4: ExtraTreeClassifier, ExtraTreeClassifier-binary
    ("sklearn.tree._classes", "ExtraTreeRegressor"),  # 4: ExtraTreeRegressor, ExtraTreesRegressor
    ("sklearn.tree._tree", "Tree"),  # 31: AdaBoostClassifier, AdaBoostClassifier-binary
    ("sklearn.utils._bunch", "Bunch"),  # 6: StackingClassifier, StackingClassifier-binary
    ("sklearn.utils.validation", "check_array"),  # 3: hgb-categorical, hgb-categorical-3
})

SKOPS_ALLOWED_TYPES: frozenset[tuple[str, str]] = frozenset({
    ("builtins", "bytes"),  # 1: datetime
    ("builtins", "dict"),  # 292: ARDRegression, AdaBoostClassifier
    ("builtins", "list"),  # 297: ARDRegression, AdaBoostClassifier
    ("builtins", "slice"),  # 7: ColumnTransformer, column-transformer
    ("builtins", "str"),  # 299: ARDRegression, AdaBoostClassifier
    ("builtins", "tuple"),  # 109: AdaBoostClassifier, AdaBoostClassifier-binary
    ("collections", "Counter"),  # 1: counter
    ("collections", "OrderedDict"),  # 1: ordereddict
    ("collections", "defaultdict"),  # 1: defaultdict
    ("datetime", "date"),  # 1: datetime
    ("datetime", "datetime"),  # 1: datetime
    ("datetime", "timedelta"),  # 1: datetime
    ("datetime", "timezone"),  # 1: datetime
    ("decimal", "Decimal"),  # 1: decimal
    ("fractions", "Fraction"),  # 1: decimal
    ("functools", "partial"),  # 3: hgb-categorical, hgb-categorical-3
    ("numpy", "absolute"),  # 1: function-absolute
    ("numpy", "arcsinh"),  # 1: function-arcsinh
    ("numpy", "bool"),  # 2: numpy-types, scalar-b1
    ("numpy", "bytes_"),  # 2: numpy-types, scalar-S5
    ("numpy", "clip"),  # 1: function-clip
    ("numpy", "complex128"),  # 2: numpy-types, scalar-c16
    ("numpy", "complex64"),  # 2: numpy-types, scalar-c8
    ("numpy", "datetime64"),  # 2: numpy-types, scalar-M8[ns]
    ("numpy", "dtype"),  # 2: KBinsDiscretizer, SimpleImputer
    ("numpy", "exp"),  # 1: function-exp
    ("numpy", "expm1"),  # 1: function-expm1
    ("numpy", "float16"),  # 2: numpy-types, scalar-f2
    ("numpy", "float32"),  # 2: numpy-types, scalar-f4
    ("numpy", "float64"),  # 100: ARDRegression, BayesianGaussianMixture
    ("numpy", "int16"),  # 2: numpy-types, scalar-i2
    ("numpy", "int32"),  # 2: numpy-types, scalar-i4
    ("numpy", "int64"),  # 44: AdaBoostClassifier, AdaBoostClassifier-binary
    ("numpy", "int8"),  # 2: numpy-types, scalar-i1
    ("numpy", "log"),  # 1: function-log
    ("numpy", "log10"),  # 1: function-log10
    ("numpy", "log1p"),  # 1: function-log1p
    ("numpy", "log2"),  # 1: function-log2
    ("numpy", "max"),  # 1: function-max
    ("numpy", "mean"),  # 2: FeatureAgglomeration, function-mean
    ("numpy", "median"),  # 1: function-median
    ("numpy", "min"),  # 1: function-min
    ("numpy", "nan_to_num"),  # 1: function-nan_to_num
    ("numpy", "ndarray"),  # 246: ARDRegression, AdaBoostClassifier
    ("numpy", "object_"),  # 1: numpy-types
    ("numpy", "round"),  # 1: function-round
    ("numpy", "sign"),  # 1: function-sign
    ("numpy", "sinh"),  # 1: function-sinh
    ("numpy", "sqrt"),  # 1: function-sqrt
    ("numpy", "square"),  # 1: function-square
    ("numpy", "str_"),  # 2: numpy-types, scalar-U5
    ("numpy", "sum"),  # 1: function-sum
    ("numpy", "tanh"),  # 1: function-tanh
    ("numpy", "timedelta64"),  # 2: numpy-types, scalar-m8[s]
    ("numpy", "uint16"),  # 2: numpy-types, scalar-u2
    ("numpy", "uint32"),  # 2: numpy-types, scalar-u4
    ("numpy", "uint64"),  # 8: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("numpy", "uint8"),  # 2: numpy-types, scalar-u1
    ("numpy", "void"),  # 1: scalar-V4
    ("numpy.ma", "MaskedArray"),  # 13: masked, randomized-search
    ("numpy.random._generator", "Generator"),  # 7: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("numpy.random.bit_generator", "SeedSequence"),  # 1: seedsequence
    ("numpy.random.mtrand", "RandomState"),  # 14: BisectingKMeans, GaussianProcessClassifier
    ("scipy._lib.array_api_compat.numpy._aliases", "asarray"),  # 1: SplineTransformer
    ("scipy.interpolate._bsplines", "BSpline"),  # 1: SplineTransformer
    ("scipy.sparse._bsr", "bsr_array"),  # 1: sparse-array-bsr
    ("scipy.sparse._bsr", "bsr_matrix"),  # 1: sparse-bsr
    ("scipy.sparse._coo", "coo_array"),  # 1: sparse-array-coo
    ("scipy.sparse._coo", "coo_matrix"),  # 1: sparse-coo
    ("scipy.sparse._csc", "csc_array"),  # 1: sparse-array-csc
    ("scipy.sparse._csc", "csc_matrix"),  # 1: sparse-csc
    ("scipy.sparse._csr", "csr_array"),  # 1: sparse-array-csr
    ("scipy.sparse._csr", "csr_matrix"),  # 2: SpectralEmbedding, sparse-csr
    ("scipy.sparse._dia", "dia_array"),  # 1: sparse-array-dia
    ("scipy.sparse._dia", "dia_matrix"),  # 1: sparse-dia
    ("sklearn._loss._loss", "CyAbsoluteError"),  # 2: loss-gb-absolute_error, loss-hgb-absolute_error
    ("sklearn._loss._loss", "CyExponentialLoss"),  # 1: loss-gb-exponential
    ("sklearn._loss._loss", "CyHalfBinomialLoss"),  # 3: GradientBoostingClassifier-binary, HistGradientBoostingClassifier-binary
    ("sklearn._loss._loss", "CyHalfGammaLoss"),  # 1: GammaRegressor
    ("sklearn._loss._loss", "CyHalfMultinomialLoss"),  # 3: GradientBoostingClassifier, HistGradientBoostingClassifier
    ("sklearn._loss._loss", "CyHalfPoissonLoss"),  # 1: PoissonRegressor
    ("sklearn._loss._loss", "CyHalfSquaredError"),  # 3: GradientBoostingRegressor, HistGradientBoostingRegressor
    ("sklearn._loss._loss", "CyHalfTweedieLoss"),  # 5: loss-tweedie-0, loss-tweedie-1
    ("sklearn._loss._loss", "CyHalfTweedieLossIdentity"),  # 1: TweedieRegressor
    ("sklearn._loss._loss", "CyHuberLoss"),  # 2: loss-gb-huber, loss-sgdc-huber
    ("sklearn._loss._loss", "CyPinballLoss"),  # 2: loss-gb-quantile, loss-hgb-quantile
    ("sklearn._loss.link", "HalfLogitLink"),  # 1: loss-gb-exponential
    ("sklearn._loss.link", "IdentityLink"),  # 4: GradientBoostingRegressor, HistGradientBoostingRegressor
    ("sklearn._loss.link", "Interval"),  # 12: GammaRegressor, GradientBoostingClassifier
    ("sklearn._loss.link", "LogLink"),  # 2: GammaRegressor, PoissonRegressor
    ("sklearn._loss.link", "LogitLink"),  # 3: GradientBoostingClassifier-binary, HistGradientBoostingClassifier-binary
    ("sklearn._loss.link", "MultinomialLogit"),  # 3: GradientBoostingClassifier, HistGradientBoostingClassifier
    ("sklearn._loss.loss", "AbsoluteError"),  # 2: loss-gb-absolute_error, loss-hgb-absolute_error
    ("sklearn._loss.loss", "ExponentialLoss"),  # 1: loss-gb-exponential
    ("sklearn._loss.loss", "HalfBinomialLoss"),  # 3: GradientBoostingClassifier-binary, HistGradientBoostingClassifier-binary
    ("sklearn._loss.loss", "HalfGammaLoss"),  # 1: GammaRegressor
    ("sklearn._loss.loss", "HalfMultinomialLoss"),  # 3: GradientBoostingClassifier, HistGradientBoostingClassifier
    ("sklearn._loss.loss", "HalfPoissonLoss"),  # 1: PoissonRegressor
    ("sklearn._loss.loss", "HalfSquaredError"),  # 3: GradientBoostingRegressor, HistGradientBoostingRegressor
    ("sklearn._loss.loss", "HalfTweedieLoss"),  # 5: loss-tweedie-0, loss-tweedie-1
    ("sklearn._loss.loss", "HalfTweedieLossIdentity"),  # 1: TweedieRegressor
    ("sklearn._loss.loss", "HuberLoss"),  # 1: loss-gb-huber
    ("sklearn._loss.loss", "PinballLoss"),  # 2: loss-gb-quantile, loss-hgb-quantile
    ("sklearn.calibration", "CalibratedClassifierCV"),  # 2: CalibratedClassifierCV, CalibratedClassifierCV-binary
    ("sklearn.calibration", "_CalibratedClassifier"),  # 2: CalibratedClassifierCV, CalibratedClassifierCV-binary
    ("sklearn.calibration", "_SigmoidCalibration"),  # 2: CalibratedClassifierCV, CalibratedClassifierCV-binary
    ("sklearn.cluster._affinity_propagation", "AffinityPropagation"),  # 1: AffinityPropagation
    ("sklearn.cluster._agglomerative", "AgglomerativeClustering"),  # 1: AgglomerativeClustering
    ("sklearn.cluster._agglomerative", "FeatureAgglomeration"),  # 1: FeatureAgglomeration
    ("sklearn.cluster._bicluster", "SpectralBiclustering"),  # 1: SpectralBiclustering
    ("sklearn.cluster._bicluster", "SpectralCoclustering"),  # 1: SpectralCoclustering
    ("sklearn.cluster._bisect_k_means", "BisectingKMeans"),  # 1: BisectingKMeans
    ("sklearn.cluster._bisect_k_means", "_BisectingTree"),  # 1: BisectingKMeans
    ("sklearn.cluster._dbscan", "DBSCAN"),  # 1: DBSCAN
    ("sklearn.cluster._hdbscan.hdbscan", "HDBSCAN"),  # 1: HDBSCAN
    ("sklearn.cluster._kmeans", "KMeans"),  # 1: KMeans
    ("sklearn.cluster._kmeans", "MiniBatchKMeans"),  # 1: MiniBatchKMeans
    ("sklearn.cluster._kmeans", "_kmeans_single_lloyd"),  # 1: BisectingKMeans
    ("sklearn.cluster._mean_shift", "MeanShift"),  # 1: MeanShift
    ("sklearn.cluster._optics", "OPTICS"),  # 1: OPTICS
    ("sklearn.cluster._spectral", "SpectralClustering"),  # 1: SpectralClustering
    ("sklearn.compose._column_transformer", "ColumnTransformer"),  # 7: ColumnTransformer, column-transformer
    ("sklearn.compose._target", "TransformedTargetRegressor"),  # 1: TransformedTargetRegressor
    ("sklearn.covariance._elliptic_envelope", "EllipticEnvelope"),  # 1: EllipticEnvelope
    ("sklearn.covariance._empirical_covariance", "EmpiricalCovariance"),  # 1: EmpiricalCovariance
    ("sklearn.covariance._graph_lasso", "GraphicalLasso"),  # 1: GraphicalLasso
    ("sklearn.covariance._graph_lasso", "GraphicalLassoCV"),  # 1: GraphicalLassoCV
    ("sklearn.covariance._robust_covariance", "MinCovDet"),  # 1: MinCovDet
    ("sklearn.covariance._shrunk_covariance", "LedoitWolf"),  # 1: LedoitWolf
    ("sklearn.covariance._shrunk_covariance", "OAS"),  # 1: OAS
    ("sklearn.covariance._shrunk_covariance", "ShrunkCovariance"),  # 1: ShrunkCovariance
    ("sklearn.cross_decomposition._pls", "CCA"),  # 1: CCA
    ("sklearn.cross_decomposition._pls", "PLSCanonical"),  # 1: PLSCanonical
    ("sklearn.cross_decomposition._pls", "PLSRegression"),  # 1: PLSRegression
    ("sklearn.cross_decomposition._pls", "PLSSVD"),  # 1: PLSSVD
    ("sklearn.decomposition._dict_learning", "DictionaryLearning"),  # 1: DictionaryLearning
    ("sklearn.decomposition._dict_learning", "MiniBatchDictionaryLearning"),  # 1: MiniBatchDictionaryLearning
    ("sklearn.decomposition._factor_analysis", "FactorAnalysis"),  # 1: FactorAnalysis
    ("sklearn.decomposition._fastica", "FastICA"),  # 1: FastICA
    ("sklearn.decomposition._incremental_pca", "IncrementalPCA"),  # 1: IncrementalPCA
    ("sklearn.decomposition._kernel_pca", "KernelPCA"),  # 2: Isomap, KernelPCA
    ("sklearn.decomposition._lda", "LatentDirichletAllocation"),  # 1: LatentDirichletAllocation
    ("sklearn.decomposition._nmf", "MiniBatchNMF"),  # 1: MiniBatchNMF
    ("sklearn.decomposition._nmf", "NMF"),  # 1: NMF
    ("sklearn.decomposition._pca", "PCA"),  # 1: PCA
    ("sklearn.decomposition._sparse_pca", "MiniBatchSparsePCA"),  # 1: MiniBatchSparsePCA
    ("sklearn.decomposition._sparse_pca", "SparsePCA"),  # 1: SparsePCA
    ("sklearn.decomposition._truncated_svd", "TruncatedSVD"),  # 1: TruncatedSVD
    ("sklearn.discriminant_analysis", "LinearDiscriminantAnalysis"),  # 2: LinearDiscriminantAnalysis, LinearDiscriminantAnalysis-binary
    ("sklearn.discriminant_analysis", "QuadraticDiscriminantAnalysis"),  # 2: QuadraticDiscriminantAnalysis, QuadraticDiscriminantAnalysis-binary
    ("sklearn.dummy", "DummyClassifier"),  # 4: DummyClassifier, DummyClassifier-binary
    ("sklearn.dummy", "DummyRegressor"),  # 2: DummyRegressor, GradientBoostingRegressor
    ("sklearn.ensemble._bagging", "BaggingClassifier"),  # 2: BaggingClassifier, BaggingClassifier-binary
    ("sklearn.ensemble._bagging", "BaggingRegressor"),  # 1: BaggingRegressor
    ("sklearn.ensemble._forest", "ExtraTreesClassifier"),  # 2: ExtraTreesClassifier, ExtraTreesClassifier-binary
    ("sklearn.ensemble._forest", "ExtraTreesRegressor"),  # 1: ExtraTreesRegressor
    ("sklearn.ensemble._forest", "RandomForestClassifier"),  # 2: RandomForestClassifier, RandomForestClassifier-binary
    ("sklearn.ensemble._forest", "RandomForestRegressor"),  # 1: RandomForestRegressor
    ("sklearn.ensemble._forest", "RandomTreesEmbedding"),  # 1: RandomTreesEmbedding
    ("sklearn.ensemble._gb", "GradientBoostingClassifier"),  # 2: GradientBoostingClassifier, GradientBoostingClassifier-binary
    ("sklearn.ensemble._gb", "GradientBoostingRegressor"),  # 1: GradientBoostingRegressor
    ("sklearn.ensemble._hist_gradient_boosting.binning", "_BinMapper"),  # 6: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("sklearn.ensemble._hist_gradient_boosting.gradient_boosting", "HistGradientBoostingClassifier"),  # 4: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("sklearn.ensemble._hist_gradient_boosting.gradient_boosting", "HistGradientBoostingRegressor"),  # 2: HistGradientBoostingRegressor, hgb-categorical-reg
    ("sklearn.ensemble._hist_gradient_boosting.predictor", "TreePredictor"),  # 6: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("sklearn.ensemble._iforest", "IsolationForest"),  # 1: IsolationForest
    ("sklearn.ensemble._stacking", "StackingClassifier"),  # 2: StackingClassifier, StackingClassifier-binary
    ("sklearn.ensemble._stacking", "StackingRegressor"),  # 1: StackingRegressor
    ("sklearn.ensemble._voting", "VotingClassifier"),  # 2: VotingClassifier, VotingClassifier-binary
    ("sklearn.ensemble._voting", "VotingRegressor"),  # 1: VotingRegressor
    ("sklearn.ensemble._weight_boosting", "AdaBoostClassifier"),  # 2: AdaBoostClassifier, AdaBoostClassifier-binary
    ("sklearn.ensemble._weight_boosting", "AdaBoostRegressor"),  # 1: AdaBoostRegressor
    ("sklearn.feature_extraction._dict_vectorizer", "DictVectorizer"),  # 1: DictVectorizer
    ("sklearn.feature_extraction._hash", "FeatureHasher"),  # 1: FeatureHasher
    ("sklearn.feature_extraction.image", "PatchExtractor"),  # 1: PatchExtractor
    ("sklearn.feature_extraction.text", "CountVectorizer"),  # 1: CountVectorizer
    ("sklearn.feature_extraction.text", "HashingVectorizer"),  # 1: HashingVectorizer
    ("sklearn.feature_extraction.text", "TfidfTransformer"),  # 2: TfidfTransformer, TfidfVectorizer
    ("sklearn.feature_extraction.text", "TfidfVectorizer"),  # 1: TfidfVectorizer
    ("sklearn.feature_selection._from_model", "SelectFromModel"),  # 1: SelectFromModel
    ("sklearn.feature_selection._rfe", "RFE"),  # 2: RFE, RFE-binary
    ("sklearn.feature_selection._rfe", "RFECV"),  # 1: RFECV
    ("sklearn.feature_selection._sequential", "SequentialFeatureSelector"),  # 1: SequentialFeatureSelector
    ("sklearn.feature_selection._univariate_selection", "GenericUnivariateSelect"),  # 1: GenericUnivariateSelect
    ("sklearn.feature_selection._univariate_selection", "SelectFdr"),  # 1: SelectFdr
    ("sklearn.feature_selection._univariate_selection", "SelectFpr"),  # 1: SelectFpr
    ("sklearn.feature_selection._univariate_selection", "SelectFwe"),  # 1: SelectFwe
    ("sklearn.feature_selection._univariate_selection", "SelectKBest"),  # 1: SelectKBest
    ("sklearn.feature_selection._univariate_selection", "SelectPercentile"),  # 1: SelectPercentile
    ("sklearn.feature_selection._univariate_selection", "f_classif"),  # 6: GenericUnivariateSelect, SelectFdr
    ("sklearn.feature_selection._variance_threshold", "VarianceThreshold"),  # 1: VarianceThreshold
    ("sklearn.frozen._frozen", "FrozenEstimator"),  # 2: FrozenEstimator, FrozenEstimator-binary
    ("sklearn.gaussian_process._gpc", "GaussianProcessClassifier"),  # 2: GaussianProcessClassifier, GaussianProcessClassifier-binary
    ("sklearn.gaussian_process._gpc", "_BinaryGaussianProcessClassifierLaplace"),  # 2: GaussianProcessClassifier, GaussianProcessClassifier-binary
    ("sklearn.gaussian_process._gpr", "GaussianProcessRegressor"),  # 1: GaussianProcessRegressor
    ("sklearn.gaussian_process.kernels", "ConstantKernel"),  # 3: GaussianProcessClassifier, GaussianProcessClassifier-binary
    ("sklearn.gaussian_process.kernels", "Product"),  # 3: GaussianProcessClassifier, GaussianProcessClassifier-binary
    ("sklearn.gaussian_process.kernels", "RBF"),  # 3: GaussianProcessClassifier, GaussianProcessClassifier-binary
    ("sklearn.impute._base", "MissingIndicator"),  # 1: MissingIndicator
    ("sklearn.impute._base", "SimpleImputer"),  # 1: SimpleImputer
    ("sklearn.impute._knn", "KNNImputer"),  # 1: KNNImputer
    ("sklearn.isotonic", "IsotonicRegression"),  # 1: IsotonicRegression
    ("sklearn.kernel_approximation", "AdditiveChi2Sampler"),  # 1: AdditiveChi2Sampler
    ("sklearn.kernel_approximation", "Nystroem"),  # 1: Nystroem
    ("sklearn.kernel_approximation", "PolynomialCountSketch"),  # 1: PolynomialCountSketch
    ("sklearn.kernel_approximation", "RBFSampler"),  # 1: RBFSampler
    ("sklearn.kernel_approximation", "SkewedChi2Sampler"),  # 1: SkewedChi2Sampler
    ("sklearn.kernel_ridge", "KernelRidge"),  # 1: KernelRidge
    ("sklearn.linear_model._base", "LinearRegression"),  # 10: LinearRegression, MultiOutputRegressor
    ("sklearn.linear_model._bayes", "ARDRegression"),  # 1: ARDRegression
    ("sklearn.linear_model._bayes", "BayesianRidge"),  # 1: BayesianRidge
    ("sklearn.linear_model._coordinate_descent", "ElasticNet"),  # 1: ElasticNet
    ("sklearn.linear_model._coordinate_descent", "ElasticNetCV"),  # 1: ElasticNetCV
    ("sklearn.linear_model._coordinate_descent", "Lasso"),  # 1: Lasso
    ("sklearn.linear_model._coordinate_descent", "LassoCV"),  # 1: LassoCV
    ("sklearn.linear_model._coordinate_descent", "MultiTaskElasticNet"),  # 1: MultiTaskElasticNet
    ("sklearn.linear_model._coordinate_descent", "MultiTaskElasticNetCV"),  # 1: MultiTaskElasticNetCV
    ("sklearn.linear_model._coordinate_descent", "MultiTaskLasso"),  # 1: MultiTaskLasso
    ("sklearn.linear_model._coordinate_descent", "MultiTaskLassoCV"),  # 1: MultiTaskLassoCV
    ("sklearn.linear_model._glm.glm", "GammaRegressor"),  # 1: GammaRegressor
    ("sklearn.linear_model._glm.glm", "PoissonRegressor"),  # 1: PoissonRegressor
    ("sklearn.linear_model._glm.glm", "TweedieRegressor"),  # 1: TweedieRegressor
    ("sklearn.linear_model._huber", "HuberRegressor"),  # 1: HuberRegressor
    ("sklearn.linear_model._least_angle", "Lars"),  # 1: Lars
    ("sklearn.linear_model._least_angle", "LarsCV"),  # 1: LarsCV
    ("sklearn.linear_model._least_angle", "LassoLars"),  # 1: LassoLars
    ("sklearn.linear_model._least_angle", "LassoLarsCV"),  # 1: LassoLarsCV
    ("sklearn.linear_model._least_angle", "LassoLarsIC"),  # 1: LassoLarsIC
    ("sklearn.linear_model._logistic", "LogisticRegression"),  # 34: ClassifierChain, ClassifierChain-binary
    ("sklearn.linear_model._logistic", "LogisticRegressionCV"),  # 2: LogisticRegressionCV, LogisticRegressionCV-binary
    ("sklearn.linear_model._omp", "OrthogonalMatchingPursuit"),  # 1: OrthogonalMatchingPursuit
    ("sklearn.linear_model._omp", "OrthogonalMatchingPursuitCV"),  # 1: OrthogonalMatchingPursuitCV
    ("sklearn.linear_model._passive_aggressive", "PassiveAggressiveClassifier"),  # 2: PassiveAggressiveClassifier, PassiveAggressiveClassifier-binary
    ("sklearn.linear_model._passive_aggressive", "PassiveAggressiveRegressor"),  # 1: PassiveAggressiveRegressor
    ("sklearn.linear_model._perceptron", "Perceptron"),  # 2: Perceptron, Perceptron-binary
    ("sklearn.linear_model._quantile", "QuantileRegressor"),  # 1: QuantileRegressor
    ("sklearn.linear_model._ransac", "RANSACRegressor"),  # 1: RANSACRegressor
    ("sklearn.linear_model._ridge", "Ridge"),  # 6: Ridge, search-neg_mean_absolute_error
    ("sklearn.linear_model._ridge", "RidgeCV"),  # 2: RidgeCV, StackingRegressor
    ("sklearn.linear_model._ridge", "RidgeClassifier"),  # 2: RidgeClassifier, RidgeClassifier-binary
    ("sklearn.linear_model._ridge", "RidgeClassifierCV"),  # 2: RidgeClassifierCV, RidgeClassifierCV-binary
    ("sklearn.linear_model._sgd_fast", "EpsilonInsensitive"),  # 1: loss-sgdc-epsilon_insensitive
    ("sklearn.linear_model._sgd_fast", "Hinge"),  # 7: PassiveAggressiveClassifier, PassiveAggressiveClassifier-binary
    ("sklearn.linear_model._sgd_fast", "ModifiedHuber"),  # 1: loss-sgdc-modified_huber
    ("sklearn.linear_model._sgd_fast", "SquaredEpsilonInsensitive"),  # 1: loss-sgdc-squared_epsilon_insensitive
    ("sklearn.linear_model._sgd_fast", "SquaredHinge"),  # 1: loss-sgdc-squared_hinge
    ("sklearn.linear_model._stochastic_gradient", "SGDClassifier"),  # 2: SGDClassifier, SGDClassifier-binary
    ("sklearn.linear_model._stochastic_gradient", "SGDOneClassSVM"),  # 1: SGDOneClassSVM
    ("sklearn.linear_model._stochastic_gradient", "SGDRegressor"),  # 1: SGDRegressor
    ("sklearn.linear_model._theil_sen", "TheilSenRegressor"),  # 1: TheilSenRegressor
    ("sklearn.manifold._classical_mds", "ClassicalMDS"),  # 1: ClassicalMDS
    ("sklearn.manifold._isomap", "Isomap"),  # 1: Isomap
    ("sklearn.manifold._locally_linear", "LocallyLinearEmbedding"),  # 1: LocallyLinearEmbedding
    ("sklearn.manifold._mds", "MDS"),  # 1: MDS
    ("sklearn.manifold._spectral_embedding", "SpectralEmbedding"),  # 1: SpectralEmbedding
    ("sklearn.manifold._t_sne", "TSNE"),  # 1: TSNE
    ("sklearn.metrics._classification", "accuracy_score"),  # 1: search-accuracy
    ("sklearn.metrics._classification", "balanced_accuracy_score"),  # 1: search-balanced_accuracy
    ("sklearn.metrics._classification", "f1_score"),  # 1: search-f1
    ("sklearn.metrics._classification", "log_loss"),  # 1: search-neg_log_loss
    ("sklearn.metrics._dist_metrics", "EuclideanDistance64"),  # 13: Isomap, KNeighborsClassifier
    ("sklearn.metrics._ranking", "average_precision_score"),  # 1: search-average_precision
    ("sklearn.metrics._ranking", "roc_auc_score"),  # 1: search-roc_auc
    ("sklearn.metrics._regression", "mean_absolute_error"),  # 1: search-neg_mean_absolute_error
    ("sklearn.metrics._regression", "mean_squared_error"),  # 1: search-neg_mean_squared_error
    ("sklearn.metrics._regression", "r2_score"),  # 1: search-r2
    ("sklearn.metrics._regression", "root_mean_squared_error"),  # 1: search-neg_root_mean_squared_error
    ("sklearn.metrics._scorer", "_PassthroughScorer"),  # 2: randomized-search, search-shuffle-split
    ("sklearn.metrics._scorer", "_Scorer"),  # 10: search-accuracy, search-average_precision
    ("sklearn.mixture._bayesian_mixture", "BayesianGaussianMixture"),  # 1: BayesianGaussianMixture
    ("sklearn.mixture._gaussian_mixture", "GaussianMixture"),  # 1: GaussianMixture
    ("sklearn.model_selection._classification_threshold", "FixedThresholdClassifier"),  # 2: FixedThresholdClassifier, FixedThresholdClassifier-binary
    ("sklearn.model_selection._classification_threshold", "TunedThresholdClassifierCV"),  # 2: TunedThresholdClassifierCV, TunedThresholdClassifierCV-binary
    ("sklearn.model_selection._search", "GridSearchCV"),  # 11: search-accuracy, search-average_precision
    ("sklearn.model_selection._search", "RandomizedSearchCV"),  # 1: randomized-search
    ("sklearn.model_selection._split", "KFold"),  # 4: search-neg_mean_absolute_error, search-neg_mean_squared_error
    ("sklearn.model_selection._split", "ShuffleSplit"),  # 1: search-shuffle-split
    ("sklearn.model_selection._split", "StratifiedKFold"),  # 7: randomized-search, search-accuracy
    ("sklearn.multiclass", "OneVsOneClassifier"),  # 2: OneVsOneClassifier, OneVsOneClassifier-binary
    ("sklearn.multiclass", "OneVsRestClassifier"),  # 3: GaussianProcessClassifier, OneVsRestClassifier
    ("sklearn.multiclass", "OutputCodeClassifier"),  # 2: OutputCodeClassifier, OutputCodeClassifier-binary
    ("sklearn.multiclass", "_ConstantPredictor"),  # 2: OutputCodeClassifier, OutputCodeClassifier-binary
    ("sklearn.multioutput", "ClassifierChain"),  # 2: ClassifierChain, ClassifierChain-binary
    ("sklearn.multioutput", "MultiOutputClassifier"),  # 2: MultiOutputClassifier, MultiOutputClassifier-binary
    ("sklearn.multioutput", "MultiOutputRegressor"),  # 1: MultiOutputRegressor
    ("sklearn.multioutput", "RegressorChain"),  # 1: RegressorChain
    ("sklearn.naive_bayes", "BernoulliNB"),  # 2: BernoulliNB, BernoulliNB-binary
    ("sklearn.naive_bayes", "CategoricalNB"),  # 2: CategoricalNB, CategoricalNB-binary
    ("sklearn.naive_bayes", "ComplementNB"),  # 2: ComplementNB, ComplementNB-binary
    ("sklearn.naive_bayes", "GaussianNB"),  # 2: GaussianNB, GaussianNB-binary
    ("sklearn.naive_bayes", "MultinomialNB"),  # 2: MultinomialNB, MultinomialNB-binary
    ("sklearn.neighbors._classification", "KNeighborsClassifier"),  # 2: KNeighborsClassifier, KNeighborsClassifier-binary
    ("sklearn.neighbors._classification", "RadiusNeighborsClassifier"),  # 2: RadiusNeighborsClassifier, RadiusNeighborsClassifier-binary
    ("sklearn.neighbors._graph", "KNeighborsTransformer"),  # 1: KNeighborsTransformer
    ("sklearn.neighbors._graph", "RadiusNeighborsTransformer"),  # 1: RadiusNeighborsTransformer
    ("sklearn.neighbors._kd_tree", "KDTree"),  # 13: Isomap, KNeighborsClassifier
    ("sklearn.neighbors._kde", "KernelDensity"),  # 1: KernelDensity
    ("sklearn.neighbors._lof", "LocalOutlierFactor"),  # 1: LocalOutlierFactor
    ("sklearn.neighbors._nca", "NeighborhoodComponentsAnalysis"),  # 1: NeighborhoodComponentsAnalysis
    ("sklearn.neighbors._nearest_centroid", "NearestCentroid"),  # 2: NearestCentroid, NearestCentroid-binary
    ("sklearn.neighbors._regression", "KNeighborsRegressor"),  # 1: KNeighborsRegressor
    ("sklearn.neighbors._regression", "RadiusNeighborsRegressor"),  # 1: RadiusNeighborsRegressor
    ("sklearn.neighbors._unsupervised", "NearestNeighbors"),  # 3: Isomap, LocallyLinearEmbedding
    ("sklearn.neural_network._multilayer_perceptron", "MLPClassifier"),  # 2: MLPClassifier, MLPClassifier-binary
    ("sklearn.neural_network._multilayer_perceptron", "MLPRegressor"),  # 1: MLPRegressor
    ("sklearn.neural_network._rbm", "BernoulliRBM"),  # 1: BernoulliRBM
    ("sklearn.neural_network._stochastic_optimizers", "AdamOptimizer"),  # 3: MLPClassifier, MLPClassifier-binary
    ("sklearn.pipeline", "FeatureUnion"),  # 1: FeatureUnion
    ("sklearn.pipeline", "Pipeline"),  # 5: Pipeline, Pipeline-binary
    ("sklearn.preprocessing._data", "Binarizer"),  # 1: Binarizer
    ("sklearn.preprocessing._data", "KernelCenterer"),  # 3: Isomap, KernelCenterer
    ("sklearn.preprocessing._data", "MaxAbsScaler"),  # 1: MaxAbsScaler
    ("sklearn.preprocessing._data", "MinMaxScaler"),  # 1: MinMaxScaler
    ("sklearn.preprocessing._data", "Normalizer"),  # 1: Normalizer
    ("sklearn.preprocessing._data", "PowerTransformer"),  # 1: PowerTransformer
    ("sklearn.preprocessing._data", "QuantileTransformer"),  # 1: QuantileTransformer
    ("sklearn.preprocessing._data", "RobustScaler"),  # 1: RobustScaler
    ("sklearn.preprocessing._data", "StandardScaler"),  # 8: ColumnTransformer, FeatureUnion
    ("sklearn.preprocessing._discretization", "KBinsDiscretizer"),  # 1: KBinsDiscretizer
    ("sklearn.preprocessing._encoders", "OneHotEncoder"),  # 5: KBinsDiscretizer, OneHotEncoder
    ("sklearn.preprocessing._encoders", "OrdinalEncoder"),  # 5: OrdinalEncoder, column-transformer
    ("sklearn.preprocessing._function_transformer", "FunctionTransformer"),  # 27: FunctionTransformer, TransformedTargetRegressor
    ("sklearn.preprocessing._label", "LabelBinarizer"),  # 10: GaussianProcessClassifier, LabelBinarizer
    ("sklearn.preprocessing._label", "LabelEncoder"),  # 9: HistGradientBoostingClassifier, HistGradientBoostingClassifier-binary
    ("sklearn.preprocessing._label", "MultiLabelBinarizer"),  # 1: MultiLabelBinarizer
    ("sklearn.preprocessing._polynomial", "PolynomialFeatures"),  # 1: PolynomialFeatures
    ("sklearn.preprocessing._polynomial", "SplineTransformer"),  # 1: SplineTransformer
    ("sklearn.preprocessing._target_encoder", "TargetEncoder"),  # 2: TargetEncoder, target-encoder
    ("sklearn.random_projection", "GaussianRandomProjection"),  # 1: GaussianRandomProjection
    ("sklearn.random_projection", "SparseRandomProjection"),  # 1: SparseRandomProjection
    ("sklearn.semi_supervised._label_propagation", "LabelPropagation"),  # 2: LabelPropagation, LabelPropagation-binary
    ("sklearn.semi_supervised._label_propagation", "LabelSpreading"),  # 2: LabelSpreading, LabelSpreading-binary
    ("sklearn.semi_supervised._self_training", "SelfTrainingClassifier"),  # 1: SelfTrainingClassifier
    ("sklearn.svm._classes", "LinearSVC"),  # 4: CalibratedClassifierCV, CalibratedClassifierCV-binary
    ("sklearn.svm._classes", "LinearSVR"),  # 1: LinearSVR
    ("sklearn.svm._classes", "NuSVC"),  # 2: NuSVC, NuSVC-binary
    ("sklearn.svm._classes", "NuSVR"),  # 1: NuSVR
    ("sklearn.svm._classes", "OneClassSVM"),  # 1: OneClassSVM
    ("sklearn.svm._classes", "SVC"),  # 2: SVC, SVC-binary
    ("sklearn.svm._classes", "SVR"),  # 1: SVR
    ("sklearn.tree._classes", "DecisionTreeClassifier"),  # 14: AdaBoostClassifier, AdaBoostClassifier-binary
    ("sklearn.tree._classes", "DecisionTreeRegressor"),  # 9: AdaBoostRegressor, BaggingRegressor
    ("sklearn.tree._classes", "ExtraTreeClassifier"),  # 4: ExtraTreeClassifier, ExtraTreeClassifier-binary
    ("sklearn.tree._classes", "ExtraTreeRegressor"),  # 4: ExtraTreeRegressor, ExtraTreesRegressor
    ("sklearn.tree._tree", "Tree"),  # 31: AdaBoostClassifier, AdaBoostClassifier-binary
    ("sklearn.utils._bunch", "Bunch"),  # 6: StackingClassifier, StackingClassifier-binary
    ("sklearn.utils.validation", "check_array"),  # 3: hgb-categorical, hgb-categorical-3
})


# Hand-vetted safe reconstructors that `derive` cannot produce from scikit-learn objects: the
# standard globals of torch.save checkpoints (PyTorch's weights_only allow-list), xgboost and
# lightgbm estimators, and pure stdlib value types. Each says why it is safe; copied verbatim by
# `derive.render`. File readers (torch.load, numpy.load, joblib.load) stay denied.

CURATED_GLOBALS: dict[tuple[str, str], str] = {
    ("__future__", "_Feature"): "__future__ feature records: inert values",
    ("__future__", "absolute_import"): "__future__ feature records: inert values",
    ("__future__", "annotations"): "__future__ feature records: inert values",
    ("__future__", "barry_as_FLUFL"): "__future__ feature records: inert values",
    ("__future__", "division"): "__future__ feature records: inert values",
    ("__future__", "generator_stop"): "__future__ feature records: inert values",
    ("__future__", "generators"): "__future__ feature records: inert values",
    ("__future__", "nested_scopes"): "__future__ feature records: inert values",
    ("__future__", "print_function"): "__future__ feature records: inert values",
    ("__future__", "unicode_literals"): "__future__ feature records: inert values",
    ("__future__", "with_statement"): "__future__ feature records: inert values",
    ("_loss", "CyAbsoluteError"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyAbsoluteError (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "CyExponentialLoss"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyExponentialLoss (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "CyHalfBinomialLoss"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyHalfBinomialLoss (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "CyHalfGammaLoss"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyHalfGammaLoss (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "CyHalfMultinomialLoss"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyHalfMultinomialLoss (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "CyHalfPoissonLoss"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyHalfPoissonLoss (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "CyHalfSquaredError"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyHalfSquaredError (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "CyHalfTweedieLoss"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyHalfTweedieLoss (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "CyHalfTweedieLossIdentity"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyHalfTweedieLossIdentity (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "CyHuberLoss"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyHuberLoss (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "CyPinballLoss"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.CyPinballLoss (their __module__ is '_loss', fixed by scikit-learn#33770); a Cython loss object rebuilt from its float parameters; runs no other code",
    ("_loss", "__pyx_unpickle_CyHalfMultinomialLoss"): "scikit-learn 1.7-1.8 spelling of sklearn._loss._loss.__pyx_unpickle_CyHalfMultinomialLoss (their __module__ is '_loss', fixed by scikit-learn#33770); Cython's unpickle helper: checks a layout checksum, then CyHalfMultinomialLoss.__new__(type) (refuses a type that is not its subclass)",
    ("builtins", "Ellipsis"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "NotImplemented"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "abs"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "all"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "any"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "bool"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "divmod"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "enumerate"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "float"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "int"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "len"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "memoryview"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "reversed"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "round"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "sum"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "tuple"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("builtins", "zip"): "pure builtin: returns a value, never a str, runs no code and reaches no attribute",
    ("collections", "deque"): "container type",
    ("datetime", "time"): "value type",
    ("lightgbm.basic", "Booster"): "rebuilds from its model string (LGBM_BoosterLoadModelFromString)",
    ("lightgbm.sklearn", "LGBMClassifier"): "lightgbm estimator (state: parameters and a Booster)",
    ("lightgbm.sklearn", "LGBMModel"): "lightgbm estimator (state: parameters and a Booster)",
    ("lightgbm.sklearn", "LGBMRanker"): "lightgbm estimator (state: parameters and a Booster)",
    ("lightgbm.sklearn", "LGBMRegressor"): "lightgbm estimator (state: parameters and a Booster)",
    ("sklearn.utils._metadata_requests", "MetadataRequest"): "scikit-learn 1.7 (the newest for Python 3.10) pickles it inside a search's default _PassthroughScorer (1.8+ do not): a metadata-routing record of owner/method strings and a dict of requests; runs no code",
    ("sklearn.utils._metadata_requests", "MethodMetadataRequest"): "scikit-learn 1.7 (the newest for Python 3.10) pickles it inside a search's default _PassthroughScorer (1.8+ do not): a metadata-routing record of owner/method strings and a dict of requests; runs no code",
    ("torch", "BFloat16Storage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "BFloat16Tensor"): "legacy tensor type (weights_only list)",
    ("torch", "BoolStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "BoolTensor"): "legacy tensor type (weights_only list)",
    ("torch", "ByteStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "ByteTensor"): "legacy tensor type (weights_only list)",
    ("torch", "CharStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "CharTensor"): "legacy tensor type (weights_only list)",
    ("torch", "ComplexDoubleStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "ComplexFloatStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "DoubleStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "DoubleTensor"): "legacy tensor type (weights_only list)",
    ("torch", "FloatStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "FloatTensor"): "legacy tensor type (weights_only list)",
    ("torch", "HalfStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "HalfTensor"): "legacy tensor type (weights_only list)",
    ("torch", "IntStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "IntTensor"): "legacy tensor type (weights_only list)",
    ("torch", "LongStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "LongTensor"): "legacy tensor type (weights_only list)",
    ("torch", "QInt32Storage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "QInt8Storage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "QUInt2x4Storage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "QUInt4x2Storage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "QUInt8Storage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "ShortStorage"): "legacy storage type named in torch.save persistent ids (weights_only list)",
    ("torch", "ShortTensor"): "legacy tensor type (weights_only list)",
    ("torch", "Size"): "torch value type (weights_only list)",
    ("torch", "Tensor"): "torch value type (weights_only list)",
    ("torch", "bfloat16"): "torch.dtype value (weights_only list)",
    ("torch", "bits16"): "torch.dtype value (weights_only list)",
    ("torch", "bits1x8"): "torch.dtype value (weights_only list)",
    ("torch", "bits2x4"): "torch.dtype value (weights_only list)",
    ("torch", "bits4x2"): "torch.dtype value (weights_only list)",
    ("torch", "bits8"): "torch.dtype value (weights_only list)",
    ("torch", "bool"): "torch.dtype value (weights_only list)",
    ("torch", "complex128"): "torch.dtype value (weights_only list)",
    ("torch", "complex32"): "torch.dtype value (weights_only list)",
    ("torch", "complex64"): "torch.dtype value (weights_only list)",
    ("torch", "device"): "torch value type (weights_only list)",
    ("torch", "float16"): "torch.dtype value (weights_only list)",
    ("torch", "float32"): "torch.dtype value (weights_only list)",
    ("torch", "float4_e2m1fn_x2"): "torch.dtype value (weights_only list)",
    ("torch", "float64"): "torch.dtype value (weights_only list)",
    ("torch", "float8_e4m3fn"): "torch.dtype value (weights_only list)",
    ("torch", "float8_e4m3fnuz"): "torch.dtype value (weights_only list)",
    ("torch", "float8_e5m2"): "torch.dtype value (weights_only list)",
    ("torch", "float8_e5m2fnuz"): "torch.dtype value (weights_only list)",
    ("torch", "float8_e8m0fnu"): "torch.dtype value (weights_only list)",
    ("torch", "int1"): "torch.dtype value (weights_only list)",
    ("torch", "int16"): "torch.dtype value (weights_only list)",
    ("torch", "int2"): "torch.dtype value (weights_only list)",
    ("torch", "int3"): "torch.dtype value (weights_only list)",
    ("torch", "int32"): "torch.dtype value (weights_only list)",
    ("torch", "int4"): "torch.dtype value (weights_only list)",
    ("torch", "int5"): "torch.dtype value (weights_only list)",
    ("torch", "int6"): "torch.dtype value (weights_only list)",
    ("torch", "int64"): "torch.dtype value (weights_only list)",
    ("torch", "int7"): "torch.dtype value (weights_only list)",
    ("torch", "int8"): "torch.dtype value (weights_only list)",
    ("torch", "per_channel_affine"): "quantization scheme value (weights_only list)",
    ("torch", "per_channel_affine_float_qparams"): "quantization scheme value (weights_only list)",
    ("torch", "per_channel_symmetric"): "quantization scheme value (weights_only list)",
    ("torch", "per_tensor_affine"): "quantization scheme value (weights_only list)",
    ("torch", "per_tensor_symmetric"): "quantization scheme value (weights_only list)",
    ("torch", "qint32"): "torch.dtype value (weights_only list)",
    ("torch", "qint8"): "torch.dtype value (weights_only list)",
    ("torch", "quint2x4"): "torch.dtype value (weights_only list)",
    ("torch", "quint4x2"): "torch.dtype value (weights_only list)",
    ("torch", "quint8"): "torch.dtype value (weights_only list)",
    ("torch", "uint1"): "torch.dtype value (weights_only list)",
    ("torch", "uint16"): "torch.dtype value (weights_only list)",
    ("torch", "uint2"): "torch.dtype value (weights_only list)",
    ("torch", "uint3"): "torch.dtype value (weights_only list)",
    ("torch", "uint32"): "torch.dtype value (weights_only list)",
    ("torch", "uint4"): "torch.dtype value (weights_only list)",
    ("torch", "uint5"): "torch.dtype value (weights_only list)",
    ("torch", "uint6"): "torch.dtype value (weights_only list)",
    ("torch", "uint64"): "torch.dtype value (weights_only list)",
    ("torch", "uint7"): "torch.dtype value (weights_only list)",
    ("torch", "uint8"): "torch.dtype value (weights_only list)",
    ("torch._tensor", "_rebuild_from_type_v2"): "tensor subclass/attributes reconstructor (weights_only list); its func is itself a judged global",
    ("torch._utils", "_rebuild_device_tensor_from_cpu_tensor"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_device_tensor_from_numpy"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_meta_tensor_no_storage"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_nested_tensor"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_parameter"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_parameter_with_state"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_qtensor"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_sparse_tensor"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_tensor"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_tensor_v2"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_tensor_v3"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch._utils", "_rebuild_wrapper_subclass"): "torch.save tensor reconstructor (PyTorch weights_only list)",
    ("torch.nn.parameter", "Parameter"): "torch.save parameter type (weights_only list)",
    ("torch.serialization", "_get_layout"): "looks up a torch.layout by name (weights_only list)",
    ("torch.storage", "TypedStorage"): "storage type (weights_only list)",
    ("torch.storage", "UntypedStorage"): "storage type (weights_only list)",
    ("uuid", "SafeUUID"): "value type (the uuid module stays denied: uuid._get_command_stdout)",
    ("uuid", "UUID"): "value type (the uuid module stays denied: uuid._get_command_stdout)",
    ("xgboost.core", "Booster"): "rebuilds from its serialized model bytes (XGBoosterUnserializeFromBuffer)",
    ("xgboost.sklearn", "XGBClassifier"): "xgboost estimator (state: parameters and a Booster)",
    ("xgboost.sklearn", "XGBModel"): "xgboost estimator (state: parameters and a Booster)",
    ("xgboost.sklearn", "XGBRFClassifier"): "xgboost estimator (state: parameters and a Booster)",
    ("xgboost.sklearn", "XGBRFRegressor"): "xgboost estimator (state: parameters and a Booster)",
    ("xgboost.sklearn", "XGBRanker"): "xgboost estimator (state: parameters and a Booster)",
    ("xgboost.sklearn", "XGBRegressor"): "xgboost estimator (state: parameters and a Booster)",
}

# Known aliases: names under which installed packages bind an exec-capable function
# (`policy.EXEC_CAPABLE`), found by `derive.find_aliases` by object identity. Denied under these
# names too, and a ``package.*`` wildcard covering one is refused.
ALIASES: dict[tuple[str, str], str] = {
    ("lightgbm.engine", "attrgetter"): "operator.attrgetter",
    ("numpy.distutils.cpuinfo", "getstatusoutput"): "subprocess.getstatusoutput",
    ("numpy.distutils.fcompiler.gnu", "Popen"): "subprocess.Popen",
    ("numpy.distutils.misc_util", "reduce"): "functools.reduce",
    ("numpy.distutils.system_info", "reduce"): "functools.reduce",
    ("numpy.f2py.auxfuncs", "reduce"): "functools.reduce",
    ("numpy.lib._arrayterator_impl", "reduce"): "functools.reduce",
    ("numpy.lib._datasource", "_open"): "builtins.open",
    ("pandas.core.computation.common", "reduce"): "functools.reduce",
    ("pandas.core.computation.expr", "reduce"): "functools.reduce",
    ("scipy._lib._array_api_docs_tables", "import_module"): "importlib.import_module",
    ("scipy._lib._tmpdirs", "rmtree"): "shutil.rmtree",
    ("scipy._lib.deprecation", "import_module"): "importlib.import_module",
    ("scipy.io._netcdf", "reduce"): "functools.reduce",
    ("scipy.io.matlab._mio4", "reduce"): "functools.reduce",
    ("scipy.stats.contingency", "reduce"): "functools.reduce",
    ("sklearn.datasets._california_housing", "remove"): "os.remove",
    ("sklearn.datasets._lfw", "remove"): "os.remove",
    ("sklearn.datasets._olivetti_faces", "remove"): "os.remove",
    ("sklearn.datasets._rcv1", "remove"): "os.remove",
    ("sklearn.datasets._species_distributions", "remove"): "os.remove",
    ("sklearn.externals.array_api_extra.testing._testing", "FunctionType"): "types.FunctionType",
    ("sklearn.feature_selection._base", "attrgetter"): "operator.attrgetter",
    ("sklearn.model_selection._search", "reduce"): "functools.reduce",
    ("sklearn.utils._available_if", "MethodType"): "types.MethodType",
    ("sklearn.utils._testing", "check_output"): "subprocess.check_output",
    ("sklearn.utils.discovery", "import_module"): "importlib.import_module",
    ("sklearn.utils.validation", "reduce"): "functools.reduce",
    ("skops.io._general", "FunctionType"): "types.FunctionType",
    ("skops.io._general", "MethodType"): "types.MethodType",
    ("skops.utils.importutils", "import_module"): "importlib.import_module",
}
