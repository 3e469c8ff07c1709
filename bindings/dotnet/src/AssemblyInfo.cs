using System;
using System.Reflection;
using System.Runtime.InteropServices;

[assembly: AssemblyTitle("MedSign")]
[assembly: AssemblyDescription("MedSign agent client (医签助手客户端) for .NET Framework 4.x and modern .NET")]
[assembly: AssemblyProduct("MedSign")]
[assembly: AssemblyVersion("0.1.0.0")]
[assembly: AssemblyFileVersion("0.1.0.0")]
[assembly: AssemblyInformationalVersion("0.1.0")]
[assembly: CLSCompliant(true)]
[assembly: ComVisible(false)]
