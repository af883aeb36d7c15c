<#
.SYNOPSIS
    Runs every *.Tests.ps1 here (or the given paths) against the built module and writes the counts as JSON for
    build.ps1, with every It that produced no test.
.NOTES
    Started by tests/TestRun/TestRun.psm1 in a fresh pwsh, so the module's dll is loaded only by this process. Pester
    makes no test, and says nothing, for an It whose -ForEach data is empty (the help-example and convention tests take
    theirs from discovery), so each It in the files is looked for among the results by where its body starts.
#>
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    # Test files or folders, separated by the platform's path separator.
    [string] $Path = $PSScriptRoot
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
# The test files import the module from here; each test uses its own temporary state file and folders.
$env:REPLICATION_MODULE_PATH = $ModulePath

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path -split [IO.Path]::PathSeparator
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.Output.RenderMode = 'Plaintext'
$result = Invoke-Pester -Configuration $configuration

function Get-ItBody {
    # Every It in a test file, by where its script block starts (file, line, column), which is what each of its tests carries.
    param([string] $File)
    $ast = [Management.Automation.Language.Parser]::ParseFile($File, [ref]$null, [ref]$null)
    $its = $ast.FindAll({ param($node) $node -is [Management.Automation.Language.CommandAst] -and $node.GetCommandName() -eq 'It' }, $true)
    foreach ($it in $its) {
        $body = $it.CommandElements | Where-Object { $_ -is [Management.Automation.Language.ScriptBlockExpressionAst] } | Select-Object -First 1
        if ($body) {
            [pscustomobject]@{
                Key  = '{0}:{1}:{2}' -f $File, $body.Extent.StartLineNumber, $body.Extent.StartColumnNumber
                Text = '{0}:{1} {2}' -f (Split-Path $File -Leaf), $it.Extent.StartLineNumber, $it.CommandElements[1].Extent.Text
            }
        }
    }
}

$made = [Collections.Generic.HashSet[string]]::new()
foreach ($test in $result.Tests) {
    $extent = $test.ScriptBlock.Ast.Extent
    [void]$made.Add(('{0}:{1}:{2}' -f $extent.File, $extent.StartLineNumber, $extent.StartColumnNumber))
}
$files = @($result.Containers | Where-Object Type -EQ 'File' | ForEach-Object { $_.Item.FullName })
$itsWithoutTests = @(foreach ($file in $files) { Get-ItBody $file | Where-Object { -not $made.Contains($_.Key) } | ForEach-Object Text })

[pscustomobject]@{
    Passed          = $result.PassedCount
    Failed          = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped         = $result.SkippedCount + $result.NotRunCount
    ItsWithoutTests = $itsWithoutTests
} | ConvertTo-Json | Set-Content -Path $SummaryPath
exit ([int]($result.Result -ne 'Passed' -or $itsWithoutTests.Count -gt 0))
