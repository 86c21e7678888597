{{/* Common labels; selector labels stay stable across upgrades. */}}
{{- define "l2-announcer.selectorLabels" -}}
app.kubernetes.io/name: l2-announcer
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "l2-announcer.labels" -}}
{{ include "l2-announcer.selectorLabels" . }}
app.kubernetes.io/component: agent
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "l2-announcer.image" -}}
{{ printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end -}}

{{/* devices may be a list (ours) or a space-separated string (as in Cilium's chart). */}}
{{- define "l2-announcer.devices" -}}
{{- if kindIs "slice" .Values.devices -}}
{{ join " " .Values.devices }}
{{- else -}}
{{ .Values.devices | default "" }}
{{- end -}}
{{- end -}}
