# Windows: runs the installer (install\install.py) with a Python 3; see install\README.md.
# powershell -ExecutionPolicy Bypass -File install\install.ps1 [--register | --uninstall | --python PATH | --prefix DIR]
$installer = Join-Path $PSScriptRoot 'install.py'
foreach ($python in @('py -3.12', 'py -3.11', 'python')) {
    $exe, $version = $python -split ' '
    if (Get-Command $exe -ErrorAction SilentlyContinue) { & $exe @($version | Where-Object { $_ }) $installer @args; exit $LASTEXITCODE }
}
Write-Host 'bgremove install: No Python was found; install 64-bit Python 3.12 from python.org, then re-run.' -ForegroundColor Red
exit 1
