{{/* Names and labels. */}}
{{- define "proctor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "proctor.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "proctor.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "proctor.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "proctor.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "proctor.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "proctor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "proctor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "proctor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "proctor.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "proctor.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Chain ids are "<prefix>-<ordinal>"; the config schema allows [A-Za-z0-9._-], 64 characters. */}}
{{- define "proctor.chainPrefix" -}}
{{- $p := default (include "proctor.fullname" .) .Values.chainPrefix -}}
{{- if not (regexMatch "^[A-Za-z0-9][A-Za-z0-9._-]{0,56}$" $p) -}}
{{- fail (printf "chainPrefix %q: letters, digits, '.', '_', '-', at most 57 characters" $p) -}}
{{- end -}}
{{- $p -}}
{{- end -}}

{{/* The database URL pieces shared by serve and the migrate Job (USER and PASSWORD come from env). */}}
{{- define "proctor.databaseUrl" -}}
{{- $d := .Values.database -}}
{{- printf "postgres://$(%s_USER):$(%s_PASSWORD)@%s:%d/%s" .prefix .prefix $d.host (int $d.port) $d.name -}}
{{- if $d.params -}}?{{ $d.params }}{{- end -}}
{{- end -}}

{{- define "proctor.databaseEnv" -}}
{{- $role := index .Values.database .role -}}
- name: {{ .prefix }}_USER
  valueFrom: { secretKeyRef: { name: {{ $role.secretName | quote }}, key: {{ $role.usernameKey | quote }} } }
- name: {{ .prefix }}_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ $role.secretName | quote }}, key: {{ $role.passwordKey | quote }} } }
{{- end -}}
