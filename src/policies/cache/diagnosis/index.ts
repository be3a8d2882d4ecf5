/** Cache-breaker diagnosis (docs/cache-diagnosis.md): the policy factory and the detector it runs. */
export { cacheDiagnosis, type CacheDiagnosisOptions, type CacheDiagnosisPolicy, type CacheDiagnosisStats } from './diagnosis-policy.js';
export { createDetector, type CacheBreakerFinding, type Detector, type DetectorOptions, type Occurrence, type PriceLookup, type PromptObservation } from './detector.js';
export { breakerKinds, classifySpan, fixHints, type BreakerKind } from './classify-span.js';
