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
