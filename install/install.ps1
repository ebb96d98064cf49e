<#
.SYNOPSIS
    bgremove installer for Windows: builds the venv that OBS's Python imports bgremove from.

.DESCRIPTION
    Mirrors install/install.sh. OBS on Windows loads the Python chosen in Tools > Scripts >
    Python Settings (global.ini, [Python] Path64bit): OBS 29.1-30.0 accept Python up to 3.11,
    OBS 30.1-32 up to 3.12, and 3.13 is never loaded. This script builds a venv of that same
    minor version in %LOCALAPPDATA%\bgremove\venv, installs the pinned requirements, runs the
    self-check, and prints the script to add and the Python path to set in OBS.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install\install.ps1
#>
param(
    [string]$Python = "",
    [string]$Prefix = "",
    [switch]$Uninstall
)
$ErrorActionPreference = 'Stop'

$Repo = Split-Path -Parent $PSScriptRoot
$ObsScript = Join-Path $Repo 'obs_bgremove.py'
$Requirements = Join-Path $Repo 'requirements\runtime.txt'
$ObsExe = Join-Path $env:ProgramFiles 'obs-studio\bin\64bit\obs64.exe'
$ObsIni = Join-Path $env:APPDATA 'obs-studio\global.ini'
$DefaultPrefix = Join-Path $env:LOCALAPPDATA 'bgremove'
if (-not $Prefix) { $Prefix = $DefaultPrefix }
$Venv = Join-Path $Prefix 'venv'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$Log = Join-Path $Prefix 'install.log'
$Stamp = Join-Path $Prefix 'install-stamp'

function Fail([string]$Message) {
    Write-Host "bgremove install: $Message" -ForegroundColor Red
    exit 1
}

# Native programs write progress to stderr, which Windows PowerShell 5.1 turns into terminating
# errors under 'Stop': run them with 'Continue' and judge them by their exit code alone.
function Invoke-Native([string]$Exe, [string[]]$Arguments, [switch]$ToLog) {
    $previous = $ErrorActionPreference
    $ErrorActionPreference = 'Continue'
    try {
        if ($ToLog) { & $Exe @Arguments *>> $Log } else { & $Exe @Arguments 2>> $Log | Out-Host }
        return $LASTEXITCODE
    } catch {
        return 127
    } finally {
        $ErrorActionPreference = $previous
    }
}

function Get-PythonVersion([string]$Exe) {
    try {
        $out = & $Exe -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>$null
        if ($LASTEXITCODE -eq 0) { return "$out".Trim() }
    } catch { }
    return ''
}

# The newest Python this OBS can load.
function Get-ObsMaxPython {
    if (-not (Test-Path $ObsExe)) { return '3.12' }
    $text = (Get-Item $ObsExe).VersionInfo.ProductVersion
    if ($text -match '^(\d+)\.(\d+)') {
        if ([version]"$($Matches[1]).$($Matches[2])" -ge [version]'30.1') { return '3.12' }
    }
    return '3.11'
}

# The python.exe in the Python home OBS is configured with, or '' when none is set.
function Get-ConfiguredPython {
    if (-not (Test-Path $ObsIni)) { return '' }
    $line = Select-String -Path $ObsIni -Pattern '^Path64bit=(.+)$' | Select-Object -First 1
    if (-not $line) { return '' }
    return Join-Path $line.Matches[0].Groups[1].Value 'python.exe'
}

# Same inputs as install.sh: interpreter, pinned requirements, package code.
function Get-Fingerprint([string]$Exe, [string]$Version) {
    $files = @($Requirements, (Join-Path $Repo 'pyproject.toml'))
    foreach ($dir in 'bgremove_core', 'bgremove_obs') {
        $path = Join-Path $Repo $dir
        if (Test-Path $path) {
            $files += Get-ChildItem -Recurse -File $path | Where-Object Extension -ne '.pyc' |
                Sort-Object FullName | ForEach-Object FullName
        }
    }
    $text = "$Exe $Version`n" + (($files | ForEach-Object { (Get-FileHash $_).Hash + ' ' + $_ }) -join "`n")
    $sha = [Security.Cryptography.SHA256]::Create()
    return [BitConverter]::ToString($sha.ComputeHash([Text.Encoding]::UTF8.GetBytes($text))) -replace '-', ''
}

function Install-Pinned([string[]]$Arguments) {
    $pip = @('-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--no-deps') + $Arguments
    if ((Invoke-Native $VenvPython $pip -ToLog) -ne 0) {
        $offline = 'NewConnectionError|getaddrinfo failed|Network is unreachable|timed out|No matching distribution|Could not find a version'
        if (Select-String -Path $Log -Pattern $offline -Quiet) {
            Fail "pip could not download the pinned packages (no network, or the package index is unreachable); connect to the internet and re-run (details in $Log)."
        }
        Fail "pip failed to install bgremove's pinned packages; the details are in $Log."
    }
}

if ($Uninstall) {
    if (Test-Path (Join-Path $Venv 'pyvenv.cfg')) {
        Remove-Item -Recurse -Force $Venv
        Write-Host "Removed $Venv."
    }
    foreach ($item in $Stamp, $Log, (Join-Path $Prefix 'matplotlib')) {
        if (Test-Path $item) { Remove-Item -Recurse -Force $item }
    }
    if ((Test-Path $Prefix) -and -not (Get-ChildItem $Prefix)) { Remove-Item $Prefix }
    Write-Host "bgremove was uninstalled; remove $ObsScript from OBS's Tools > Scripts list."
    exit 0
}

if (-not (Test-Path $ObsScript)) { Fail "The OBS script $ObsScript is missing; this checkout of bgremove is incomplete." }
$maxPython = Get-ObsMaxPython
$configured = Get-ConfiguredPython
if (-not $Python) { $Python = $configured }
if (-not $Python) {
    foreach ($candidate in @($maxPython, '3.11') | Select-Object -Unique) {
        try {
            $found = & py "-$candidate" -c 'import sys; print(sys.executable)' 2>$null
            if ($LASTEXITCODE -eq 0 -and $found) { $Python = "$found".Trim(); break }
        } catch { }
    }
    if (-not $Python) { Fail "No Python $maxPython was found; install 64-bit Python $maxPython from python.org, then re-run." }
}
$version = Get-PythonVersion $Python
if (-not $version) { Fail "The interpreter '$Python' does not run; check -Python or OBS's Python Settings." }
if ($version -notin '3.11', '3.12' -or [version]$version -gt [version]$maxPython) {
    Fail "'$Python' is Python $version, but this OBS loads Python 3.11 to $maxPython; install Python $maxPython from python.org and re-run."
}

New-Item -ItemType Directory -Force $Prefix | Out-Null
$fingerprint = Get-Fingerprint $Python $version
if ((Test-Path $VenvPython) -and (Test-Path $Stamp) -and ((Get-Content $Stamp -Raw).Trim() -eq $fingerprint)) {
    Write-Host "bgremove is up to date in $Venv (nothing to install)."
} else {
    Set-Content $Log ''
    if (Test-Path $Stamp) { Remove-Item $Stamp }
    if ((Get-PythonVersion $VenvPython) -ne $version) {
        Write-Host "Creating a Python $version venv in $Venv from $Python ..."
        if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
        if ((Invoke-Native $Python @('-m', 'venv', $Venv) -ToLog) -ne 0) {
            Fail "'$Python' could not create the venv $Venv; the details are in $Log."
        }
    }
    Write-Host 'Installing the pinned packages (requirements\runtime.txt) ...'
    # --no-deps: mediapipe declares sounddevice (audio tasks), which the vision tasks never import.
    Install-Pinned @('-r', $Requirements)
    Write-Host "Installing bgremove from $Repo ..."
    # Built from a copy so pip's in-tree build leaves no build\ or egg-info in the repository.
    $staging = Join-Path ([IO.Path]::GetTempPath()) ("bgremove-" + [guid]::NewGuid())
    New-Item -ItemType Directory $staging | Out-Null
    try {
        foreach ($item in 'pyproject.toml', 'README.md', 'LICENSE', 'bgremove_core', 'bgremove_obs') {
            $path = Join-Path $Repo $item
            if (Test-Path $path) { Copy-Item -Recurse $path $staging }
        }
        Install-Pinned @($staging)
    } finally {
        Remove-Item -Recurse -Force $staging
    }
    Set-Content $Stamp $fingerprint
}

Write-Host 'Running the self-check in the venv ...'
$env:MPLCONFIGDIR = Join-Path $Prefix 'matplotlib'
Push-Location $Prefix
try { $status = Invoke-Native $VenvPython @('-m', 'bgremove_core.selfcheck') } finally { Pop-Location }
if ($status -ne 0) {
    Remove-Item $Stamp
    Fail "The self-check failed (see the PROBLEM lines above; native library messages are in $Log)."
}

$pythonHome = Split-Path -Parent $Python
Write-Host ''
Write-Host "bgremove is installed for Python $version in $Venv."
Write-Host 'In OBS: Tools > Scripts > + and choose:'
Write-Host "    $ObsScript"
if ($configured -ne (Join-Path $pythonHome 'python.exe')) {
    Write-Host 'and in Tools > Scripts > Python Settings set the Python install path to:'
    Write-Host "    $pythonHome"
}
if ($Prefix -ne $DefaultPrefix) {
    Write-Host "This venv is not at the default place: start OBS with BGREMOVE_VENV=$Venv in its environment."
} elseif ($env:BGREMOVE_VENV -or (Test-Path (Join-Path $Repo '.venv'))) {
    Write-Host "Note: obs_bgremove.py prefers BGREMOVE_VENV, then $Repo\.venv, over this venv; unset or remove those for OBS to use it."
}
