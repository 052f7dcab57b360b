// The implicit usings the core files rely on in Ebb.dll (ImplicitUsings), for the runtime-free build.
global using System;
global using System.Threading;
