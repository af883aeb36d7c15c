# For tests/Pester/TestRun.Tests.ps1: a test that fails.
Describe 'A failing test' {
    It 'fails' {
        1 | Should -Be 2
    }
}
