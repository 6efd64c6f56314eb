#pragma once
/// \file sweep_k8s.h
/// `twindesk sweep --emit-k8s DIR`: a sweep as a Kubernetes Indexed Job, one pod per variant.
///
/// Two manifests (docs/packaging.md, "Sweeps on a cluster"):
/// - `configmap.yaml`: a ConfigMap with the scenario files that are not part of the image
///   (those under the installed assets are referenced in place) and `variants.json`, the list
///   of variants in sweep order (index, label, scenario, overrides);
/// - `job.yaml`: a batch/v1 Job with completionMode Indexed, completions = the number of
///   variants, whose container runs the same `twindesk sweep` with
///   `--variant-index $(JOB_COMPLETION_INDEX)`, so pod i runs exactly variant i of the full
///   sweep, and writes its result to `--results-dir` on the mounted results volume and/or,
///   with a store, to the shared PostgreSQL store (`--store $(TWINDESK_STORE) --sweep-name`);
/// - `kustomization.yaml` listing both, so `kubectl apply -k DIR` applies the pair.
/// Rendering is a pure function (no files, no cluster): tests parse its YAML.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twindesk::app {

struct K8sVariant
{
    std::size_t index = 0;
    std::string label;
    std::string scenario; ///< the path inside the container
    std::vector<std::pair<std::string, std::string>> overrides;
};

struct K8sSweepSpec
{
    std::string name;         ///< the Job's and ConfigMap's name (DNS-1123 label, ≤ 52 chars)
    std::string image;        ///< the container image (packaging/container/Containerfile)
    std::string version;      ///< TwinDesk version, a label on both objects
    unsigned parallelism = 0; ///< pods at once; 0: all variants
    std::string resultsClaim; ///< the PersistentVolumeClaim mounted at /results
    /// Mount the results volume and write variant-NNNN.json files there (--results-dir).
    bool resultsVolume = true;
    /// The shared store the pods write their rows to (`--store`, a postgresql:// URL without a
    /// password; empty: none). It reaches the pods through the ConfigMap key `store` (env
    /// TWINDESK_STORE); the password only through the Secret `storeSecret`, key `password`,
    /// as PGPASSWORD (optional: a store with certificate or trust authentication needs none).
    std::string store;
    std::string storeSecret;
    std::string sweepName;              ///< the name the rows are stored under (`--sweep-name`)
    std::vector<std::string> scenarios; ///< the sweep's scenario arguments (container paths)
    std::vector<std::string> varyArgs;  ///< the sweep's --vary arguments, verbatim
    std::vector<std::pair<std::string, std::string>> configFiles; ///< ConfigMap key → content
    std::vector<K8sVariant> variants;
};

/// Where the ConfigMap is mounted in the pod; scenario files shipped in it live there.
inline constexpr std::string_view kK8sConfigMount = "/etc/twindesk-sweep";
/// Where the results volume is mounted; each sweep writes into /results/<name>.
inline constexpr std::string_view kK8sResultsMount = "/results";

/// An empty string when `name` is a valid Job name, else why not.
std::string checkK8sName(std::string_view name);

/// A ConfigMap data key for a file name: the characters Kubernetes allows ([-._a-zA-Z0-9]).
std::string k8sConfigKey(std::string_view fileName);

struct K8sManifests
{
    std::string configMap;
    std::string job;
    std::string kustomization;
};

K8sManifests renderK8sSweep(const K8sSweepSpec& spec);

} // namespace twindesk::app
