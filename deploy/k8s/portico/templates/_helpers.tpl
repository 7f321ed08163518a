{{/* Name of one service's objects: <release>-<service>, at most 63 characters. */}}
{{- define "portico.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* A service's values: serviceDefaults overlaid with services.<name>. Usage: include "portico.service" (dict "root" $ "name" $name) | fromYaml */}}
{{- define "portico.service" -}}
{{- $svc := index .root.Values.services .name | default dict -}}
{{- $merged := mergeOverwrite (deepCopy .root.Values.serviceDefaults) (deepCopy $svc) -}}
{{- toYaml $merged -}}
{{- end -}}

{{- define "portico.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "portico.labels" -}}
{{ include "portico.selectorLabels" . }}
app.kubernetes.io/part-of: portico
app.kubernetes.io/component: {{ .component | default "service" }}
app.kubernetes.io/version: {{ .root.Values.global.image.tag | default .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "portico.image" -}}
{{- $registry := .root.Values.global.image.registry -}}
{{- $tag := .svc.image.tag | default .root.Values.global.image.tag | default .root.Chart.AppVersion -}}
{{- if $registry -}}{{ printf "%s/%s:%s" $registry .svc.image.repository $tag }}{{- else -}}{{ printf "%s:%s" .svc.image.repository $tag }}{{- end -}}
{{- end -}}

{{/*
In-cluster base URL of another service of this release, http://<release>-<service>:<port>, for one
entry of services.<name>.upstreams (setting -> service). Fails rather than render nothing: a caller
without the setting would fall back to its 127.0.0.1 default and fail at its first call instead.
Usage: include "portico.upstreamUrl" (dict "root" $ "name" $name "key" $setting "target" $service)
*/}}
{{- define "portico.upstreamUrl" -}}
{{- if not (hasKey .root.Values.services .target) -}}
{{- fail (printf "services.%s.upstreams.%s: %q is not a service of this chart" .name .key .target) -}}
{{- end -}}
{{- $target := include "portico.service" (dict "root" .root "name" .target) | fromYaml -}}
{{- if not $target.enabled -}}
{{- fail (printf "services.%s.upstreams.%s points at %s, which is disabled (services.%s.enabled=false)" .name .key .target .target) -}}
{{- end -}}
{{- printf "http://%s:%d" (include "portico.fullname" (dict "root" .root "name" .target)) (int $target.port) -}}
{{- end -}}

{{/*
Browser-facing base URL of a service (global.publicUrls.<service>) for one entry of
services.<name>.publicUrls. Residents' browsers and carriers cannot use a cluster-internal name, and
the chart cannot guess the Ingress host, so install and upgrade (and `helm template`, which renders
as an install) fail without it. `helm lint` renders neither as install nor as upgrade: there the
setting is left out, so the chart lints with its default values.
*/}}
{{- define "portico.publicUrl" -}}
{{- $url := index (.root.Values.global.publicUrls | default dict) .target | default "" -}}
{{- if and (not $url) (or .root.Release.IsInstall .root.Release.IsUpgrade) -}}
{{- fail (printf "global.publicUrls.%s is required: services.%s.publicUrls.%s is the address browsers reach %s at (e.g. https://%s.portico.example)" .target .name .key .target .target) -}}
{{- end -}}
{{- trimSuffix "/" $url -}}
{{- end -}}

{{- define "portico.secretName" -}}
{{- .svc.existingSecret | default (include "portico.fullname" .) -}}
{{- end -}}

{{- define "portico.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ printf "%s-services" .Release.Name | trunc 63 | trimSuffix "-" }}{{- else -}}default{{- end -}}
{{- end -}}

{{/* Settings and secret references, shared by the Deployment and the migration Job. */}}
{{- define "portico.envFrom" -}}
- configMapRef:
    name: {{ include "portico.fullname" . }}
- secretRef:
    name: {{ .root.Values.global.commonSecret }}
- secretRef:
    name: {{ include "portico.secretName" . }}
{{- end -}}

{{- define "portico.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "portico.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}
